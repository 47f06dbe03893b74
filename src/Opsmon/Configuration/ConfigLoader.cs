using System.Diagnostics.CodeAnalysis;
using Opsmon.Collectors;
using Opsmon.Collectors.Linux;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Opsmon.Configuration;

/// <summary>
/// Reads the YAML configuration. Unknown keys are errors; every error names the file, the line and the key,
/// and nothing half-loads.
/// </summary>
public static partial class ConfigLoader
{
    public static ConfigResult Defaults() => ConfigResult.Ok(new OpsmonConfig());

    public static ConfigResult Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigResult.Fail($"{path}: cannot read the configuration: {e.Message}");
        }

        return Parse(text, path);
    }

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The native build roots this assembly (Opsmon.csproj, TrimmerRootAssembly), so every ConfigFile type keeps the constructors and properties YamlDotNet's reflection needs; NativeBuildTests load a full configuration with it.")]
    public static ConfigResult Parse(string yaml, string path)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        ConfigFile? file;
        try
        {
            file = deserializer.Deserialize<ConfigFile?>(yaml);
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            // YamlDotNet reports "Property 'x' not found on type 'y'" for unknown keys; say it in our words.
            if (reason.Contains("not found on type", StringComparison.Ordinal))
            {
                var key = reason.Split('\'')[1];
                reason = $"unknown key '{key}'";
            }

            return ConfigResult.Fail($"{path}:{e.Start.Line}:{e.Start.Column}: {reason}");
        }

        file ??= new ConfigFile();
        var where = new YamlLocator(yaml);
        var errors = new List<string>();
        var process = file.Process ?? new ProcessSection();
        if (process.Top is < 0 or > 1000)
        {
            errors.Add(where.Error(path, "process.top", $"must be between 0 and 1000, got {process.Top}."));
        }

        var cgroupDepth = file.Cgroup?.Depth ?? 2;
        if (cgroupDepth is < 0 or > 10)
        {
            errors.Add(where.Error(path, "cgroup.depth", $"must be between 0 and 10, got {cgroupDepth}."));
        }

        var rules = new List<ProcessGroupRule>();
        for (var i = 0; i < (process.Groups?.Count ?? 0); i++)
        {
            var g = process.Groups![i];
            if ((g.Comm?.Count ?? 0) == 0 && (g.Exe?.Count ?? 0) == 0 && (g.Cmdline?.Count ?? 0) == 0)
            {
                errors.Add(where.Error(path, $"process.groups[{i}]", "a group needs at least one of comm, exe or cmdline."));
            }

            rules.Add(new ProcessGroupRule
            {
                Name = g.Name ?? "{{.Comm}}",
                Comm = g.Comm ?? [],
                Exe = g.Exe ?? [],
                Cmdline = g.Cmdline ?? [],
            });
        }

        var interval = TimeSpan.FromSeconds(15);
        if (file.Interval is not null && !TryInterval(file.Interval, out interval))
        {
            errors.Add(where.Error(path, "interval", $"'{file.Interval}' {IntervalRule}."));
        }

        var retention = TimeSpan.FromDays(30);
        if (file.Retention is not null && !TryRetention(file.Retention, out retention))
        {
            errors.Add(where.Error(path, "retention", $"'{file.Retention}' {RetentionRule}."));
        }

        var retentionBytes = 0L;
        if (file.RetentionSize is not null && !TrySize(file.RetentionSize, out retentionBytes))
        {
            errors.Add(where.Error(path, "retention_size", $"'{file.RetentionSize}' is not a size (for example 10GB, 512MB)."));
        }

        var remotes = new List<Opsmon.RemoteWrite.RemoteWriteOptions>();
        for (var i = 0; i < (file.RemoteWrite?.Count ?? 0); i++)
        {
            var r = file.RemoteWrite![i];
            if (!Uri.TryCreate(r.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors.Add(where.Error(path, $"remote_write[{i}].url", $"'{r.Url}' is not an http(s) URL."));
                continue;
            }

            remotes.Add(new Opsmon.RemoteWrite.RemoteWriteOptions
            {
                Url = url,
                Name = r.Name,
                Shards = r.Shards is > 0 and <= 64 ? r.Shards : 2,
                MaxSamplesPerSend = r.MaxSamplesPerSend is > 0 ? r.MaxSamplesPerSend : 2000,
                Headers = r.Headers ?? [],
            });
        }

        var smapsMaxAge = TimeSpan.FromSeconds(60);
        if (process.SmapsMaxAge is not null && (!TryDuration(process.SmapsMaxAge, out smapsMaxAge) && process.SmapsMaxAge != "0s"))
        {
            errors.Add(where.Error(path, "process.smaps_max_age", $"'{process.SmapsMaxAge}' is not a duration (for example 60s, or 0s to read every scrape)."));
        }

        var evaluation = TimeSpan.FromSeconds(15);
        if (file.EvaluationInterval is not null && (!TryDuration(file.EvaluationInterval, out evaluation) || evaluation < TimeSpan.FromSeconds(1)))
        {
            errors.Add(where.Error(path, "evaluation_interval", $"'{file.EvaluationInterval}' is not a duration of at least 1s."));
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var ruleFiles = (file.RuleFiles ?? []).Select(f => Path.IsPathRooted(f) ? f : Path.Combine(baseDir, f)).ToList();

        var actions = ParseActions(file, path, where, errors);
        var routing = ParseRouting(file, path, where, errors, actions);
        var doctor = ParseDoctor(file, path, where, errors);

        // The collector validates regexes (RE2 syntax such as (?P<name>...) included) and name templates.
        errors.AddRange(ProcessCollector.ValidateGroupRules(rules).Select(p => where.Error(path, "process.groups", p)));
        if (errors.Count > 0)
        {
            return ConfigResult.Fail(string.Join(Environment.NewLine, errors));
        }

        return ConfigResult.Ok(new OpsmonConfig
        {
            Listen = file.Listen ?? "127.0.0.1:9184",
            DataDirectory = file.Data,
            Interval = interval,
            Retention = retention,
            RetentionBytes = retentionBytes,
            RemoteWrite = remotes,
            RuleFiles = ruleFiles,
            EvaluationInterval = evaluation,
            Routing = routing,
            Actions = actions,
            DoctorThresholds = doctor,
            Collectors = file.Collectors ?? [],
            CollectorOptions = new CollectorOptions
            {
                TopProcesses = process.Top,
                GatherSmaps = process.Smaps,
                SmapsMaxAge = smapsMaxAge,
                CgroupDepth = cgroupDepth,
                ProcessGroups = rules,
            },
        });
    }

    // Each section with its own file: ConfigLoader.Routing.cs (route, receivers), ConfigLoader.Actions.cs (actions),
    // ConfigLoader.Doctor.cs (doctor thresholds). Each adds its keys to ConfigFile and reports errors through `where`.
    // ParseRouting gets the parsed actions so that a receiver naming an unknown action is an error with its line.
    private static partial Opsmon.Rules.Routing.RoutingConfig ParseRouting(ConfigFile file, string path, YamlLocator where, List<string> errors, Opsmon.Rules.Actions.ActionsConfig actions);

    private static partial Opsmon.Rules.Actions.ActionsConfig ParseActions(ConfigFile file, string path, YamlLocator where, List<string> errors);

    private static partial Opsmon.Analysis.Thresholds? ParseDoctor(ConfigFile file, string path, YamlLocator where, List<string> errors);

    public const string IntervalRule = "is not a duration between 1s and 1h (for example 15s)";
    public const string RetentionRule = "is not a duration of at least 1h (for example 30d)";

    /// <summary>A collection interval, from the config or --interval: 1s to 1h.</summary>
    public static bool TryInterval(string text, out TimeSpan value) =>
        TryDuration(text, out value) && value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromHours(1);

    /// <summary>A retention, from the config or --retention: at least 1h.</summary>
    public static bool TryRetention(string text, out TimeSpan value) =>
        TryDuration(text, out value) && value >= TimeSpan.FromHours(1);

    /// <summary>Prometheus-style durations: 15s, 1m30s, 30d, 1w, 500ms.</summary>
    public static bool TryDuration(string text, out TimeSpan value)
    {
        var ok = Opsmon.Query.Parser.TryParseDuration(text.Trim(), out var ms);
        value = TimeSpan.FromMilliseconds(ms);
        return ok && ms > 0;
    }

    /// <summary>Sizes with a unit: B, KB, MB, GB, TB (powers of 1024, as Prometheus's retention.size); one rule for every size key.</summary>
    public static bool TrySize(string text, out long bytes) => Opsmon.Rules.Actions.ActionSection.TryParseSize(text, out bytes);

    // YAML shapes; mutable because YamlDotNet fills them, never exposed beyond this file.
    private sealed partial class ConfigFile
    {
        public string? Listen { get; set; }

        public string? Data { get; set; }

        public string? Interval { get; set; }

        public string? Retention { get; set; }

        public string? RetentionSize { get; set; }

        public List<RemoteWriteSection>? RemoteWrite { get; set; }

        public List<string>? RuleFiles { get; set; }

        public string? EvaluationInterval { get; set; }

        public Dictionary<string, bool>? Collectors { get; set; }

        public ProcessSection? Process { get; set; }

        public CgroupSection? Cgroup { get; set; }
    }

    private sealed class ProcessSection
    {
        public int Top { get; set; } = 20;

        public bool Smaps { get; set; } = true;

        public string? SmapsMaxAge { get; set; }

        public List<GroupSection>? Groups { get; set; }
    }

    private sealed class GroupSection
    {
        public string? Name { get; set; }

        public List<string>? Comm { get; set; }

        public List<string>? Exe { get; set; }

        public List<string>? Cmdline { get; set; }
    }

    private sealed class RemoteWriteSection
    {
        public string? Url { get; set; }

        public string? Name { get; set; }

        public int Shards { get; set; } = 2;

        public int MaxSamplesPerSend { get; set; } = 2000;

        public Dictionary<string, string>? Headers { get; set; }
    }

    private sealed class CgroupSection
    {
        public int Depth { get; set; } = 2;
    }
}
