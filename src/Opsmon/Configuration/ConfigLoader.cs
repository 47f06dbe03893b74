using Opsmon.Collectors;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Opsmon.Configuration;

/// <summary>
/// Reads the YAML configuration. Unknown keys are errors; every error names the file, the line and the key,
/// and nothing half-loads.
/// </summary>
public static class ConfigLoader
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
        var errors = new List<string>();
        var process = file.Process ?? new ProcessSection();
        if (process.Top is < 0 or > 1000)
        {
            errors.Add($"{path}: process.top: must be between 0 and 1000, got {process.Top}.");
        }

        var cgroupDepth = file.Cgroup?.Depth ?? 2;
        if (cgroupDepth is < 0 or > 10)
        {
            errors.Add($"{path}: cgroup.depth: must be between 0 and 10, got {cgroupDepth}.");
        }

        var rules = new List<ProcessGroupRule>();
        for (var i = 0; i < (process.Groups?.Count ?? 0); i++)
        {
            var g = process.Groups![i];
            if ((g.Comm?.Count ?? 0) == 0 && (g.Exe?.Count ?? 0) == 0 && (g.Cmdline?.Count ?? 0) == 0)
            {
                errors.Add($"{path}: process.groups[{i}]: a group needs at least one of comm, exe or cmdline.");
            }

            foreach (var re in g.Cmdline ?? [])
            {
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(re);
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{path}: process.groups[{i}].cmdline: invalid regex '{re}': {e.Message}");
                }
            }

            rules.Add(new ProcessGroupRule
            {
                Name = g.Name ?? "{{.Comm}}",
                Comm = g.Comm ?? [],
                Exe = g.Exe ?? [],
                Cmdline = g.Cmdline ?? [],
            });
        }

        if (errors.Count > 0)
        {
            return ConfigResult.Fail(string.Join(Environment.NewLine, errors));
        }

        return ConfigResult.Ok(new OpsmonConfig
        {
            Listen = file.Listen ?? "127.0.0.1:9184",
            Collectors = file.Collectors ?? [],
            CollectorOptions = new CollectorOptions
            {
                TopProcesses = process.Top,
                GatherSmaps = process.Smaps,
                CgroupDepth = cgroupDepth,
                ProcessGroups = rules,
            },
        });
    }

    // YAML shapes; mutable because YamlDotNet fills them, never exposed beyond this file.
    private sealed class ConfigFile
    {
        public string? Listen { get; set; }

        public Dictionary<string, bool>? Collectors { get; set; }

        public ProcessSection? Process { get; set; }

        public CgroupSection? Cgroup { get; set; }
    }

    private sealed class ProcessSection
    {
        public int Top { get; set; } = 20;

        public bool Smaps { get; set; } = true;

        public List<GroupSection>? Groups { get; set; }
    }

    private sealed class GroupSection
    {
        public string? Name { get; set; }

        public List<string>? Comm { get; set; }

        public List<string>? Exe { get; set; }

        public List<string>? Cmdline { get; set; }
    }

    private sealed class CgroupSection
    {
        public int Depth { get; set; } = 2;
    }
}
