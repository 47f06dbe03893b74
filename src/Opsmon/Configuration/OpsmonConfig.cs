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

    /// <summary>The store's directory; null means the XDG data directory (see <see cref="DefaultDataDirectory"/>).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>How often `opsmon run` collects into the store (1 s to 1 h).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Optional size limit for the store's blocks; 0 = none.</summary>
    public long RetentionBytes { get; init; }

    public IReadOnlyList<Opsmon.RemoteWrite.RemoteWriteOptions> RemoteWrite { get; init; } = [];

    /// <summary>Prometheus rule files (globs in the file name allowed), relative to the config file's directory.</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];

    /// <summary>How often rule groups without their own interval are evaluated.</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The routing tree and receivers alerts go to (config <c>route:</c> and <c>receivers:</c>).</summary>
    public Opsmon.Rules.Routing.RoutingConfig Routing { get; init; } = new();

    /// <summary>The actions receivers may run (config <c>actions:</c>); none unless configured.</summary>
    public Opsmon.Rules.Actions.ActionsConfig Actions { get; init; } = new();

    /// <summary>Doctor and analyzer threshold overrides (config <c>doctor:</c>); null means the built-in defaults.</summary>
    public Opsmon.Analysis.Thresholds? DoctorThresholds { get; init; }

    /// <summary>The rule files the globs name now (re-read on every reload).</summary>
    public IReadOnlyList<string> ResolveRuleFiles() =>
        [.. RuleFiles.SelectMany(pattern =>
        {
            var dir = Path.GetDirectoryName(pattern);
            var name = Path.GetFileName(pattern);
            if (!name.Contains('*', StringComparison.Ordinal) && !name.Contains('?', StringComparison.Ordinal))
            {
                return [pattern];
            }

            return Directory.Exists(dir) ? Directory.GetFiles(dir, name).Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        })];

    /// <summary>$XDG_DATA_HOME/opsmon, else ~/.local/share/opsmon.</summary>
    public static string DefaultDataDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var baseDir = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".local", "share");
        return Path.Combine(baseDir, "opsmon");
    }

    public string EffectiveDataDirectory => DataDirectory ?? DefaultDataDirectory();
}

/// <summary>A loaded configuration, or an error that names the file, line and key.</summary>
public sealed record ConfigResult(OpsmonConfig? Config, string? Error)
{
    public static ConfigResult Ok(OpsmonConfig config) => new(config, null);

    public static ConfigResult Fail(string error) => new(null, error);
}
