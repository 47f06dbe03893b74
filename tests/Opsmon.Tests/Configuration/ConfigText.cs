using Opsmon.Configuration;

namespace Opsmon.Tests.Configuration;

/// <summary>Loads config text as `opsmon run --config` would, for the tests of each section.</summary>
public static class ConfigText
{
    /// <summary>The error of a config that must not load (asserting that nothing loaded).</summary>
    public static string Error(string yaml, string file)
    {
        var result = ConfigLoader.Parse(yaml, file);
        Assert.Null(result.Config);
        return Assert.IsType<string>(result.Error);
    }
}
