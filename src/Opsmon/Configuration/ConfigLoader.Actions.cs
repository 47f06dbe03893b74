using Opsmon.Rules.Actions;

namespace Opsmon.Configuration;

public static partial class ConfigLoader
{
    // PLACEHOLDER: the actions work adds `actions:` here.
    private static partial ActionsConfig ParseActions(ConfigFile file, string path, YamlLocator where, List<string> errors) => new();
}
