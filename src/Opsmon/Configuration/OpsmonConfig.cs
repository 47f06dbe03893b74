using Opsmon.Collectors;

namespace Opsmon.Configuration;

/// <summary>The resolved configuration of one Opsmon invocation: file, flags and defaults merged.</summary>
public sealed record OpsmonConfig
{
    public string Listen { get; init; } = "127.0.0.1:9184";

    /// <summary>Collector on/off overrides from the config file's <c>collectors:</c> map.</summary>
    public IReadOnlyDictionary<string, bool> Collectors { get; init; } = new Dictionary<string, bool>();

    public IReadOnlyList<string> EnabledCollectors { get; init; } = [];

    public CollectorOptions CollectorOptions { get; init; } = new();

    public FsRoot Root { get; init; } = FsRoot.Live;
}

/// <summary>A loaded configuration, or an error that names the file, line and key.</summary>
public sealed record ConfigResult(OpsmonConfig? Config, string? Error)
{
    public static ConfigResult Ok(OpsmonConfig config) => new(config, null);

    public static ConfigResult Fail(string error) => new(null, error);
}
