using Opsmon.Analysis;

namespace Opsmon.Configuration;

public static partial class ConfigLoader
{
    // PLACEHOLDER: the doctor work adds `doctor:` (threshold overrides) here.
    private static partial Thresholds? ParseDoctor(ConfigFile file, string path, YamlLocator where, List<string> errors) => null;
}
