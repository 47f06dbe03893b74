using System.CommandLine;
using Opsmon.Collectors;
using Opsmon.Configuration;

namespace Opsmon.Commands;

/// <summary>
/// The options every command that collects shares: --config, --root, and one --collector.NAME /
/// --no-collector.NAME pair per registered collector (node_exporter's flag shape).
/// </summary>
public sealed class CollectorFlags
{
    private readonly List<(string Name, Option<bool> On, Option<bool> Off)> _toggles = [];

    public CollectorFlags()
    {
        Config = new Option<FileInfo?>("--config") { Description = "YAML configuration file (see docs/configuration.md)." };
        Root = new Option<DirectoryInfo?>("--root")
        {
            Description = "Read /proc, /sys and /run under this directory instead of / (for recorded trees).",
        };
        foreach (var registration in CollectorCatalog.All)
        {
            var state = registration.EnabledByDefault ? "enabled" : "disabled";
            var on = new Option<bool>($"--collector.{registration.Name}") { Description = $"Enable the {registration.Name} collector: {registration.Description} (default: {state})" };
            var off = new Option<bool>($"--no-collector.{registration.Name}") { Description = $"Disable the {registration.Name} collector.", Hidden = true };
            _toggles.Add((registration.Name, on, off));
        }
    }

    public Option<FileInfo?> Config { get; }

    public Option<DirectoryInfo?> Root { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Root);
        foreach (var (_, on, off) in _toggles)
        {
            command.Options.Add(on);
            command.Options.Add(off);
        }
    }

    /// <summary>Loads the config and resolves the collector set; config errors come back as a message for exit code 2.</summary>
    public ConfigResult Resolve(ParseResult parse)
    {
        var configFile = parse.GetValue(Config);
        var loaded = configFile is null ? ConfigLoader.Defaults() : ConfigLoader.Load(configFile.FullName);
        if (loaded.Error is not null)
        {
            return loaded;
        }

        var overrides = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (name, on) in loaded.Config!.Collectors)
        {
            if (CollectorCatalog.Find(name) is null)
            {
                return ConfigResult.Fail($"{configFile?.FullName}: collectors.{name}: unknown collector. Known: {string.Join(", ", CollectorCatalog.All.Select(r => r.Name))}.");
            }

            overrides[name] = on;
        }

        foreach (var (name, onOption, offOption) in _toggles)
        {
            if (parse.GetValue(onOption))
            {
                overrides[name] = true;
            }

            if (parse.GetValue(offOption))
            {
                overrides[name] = false;
            }
        }

        var root = parse.GetValue(Root);
        var config = loaded.Config with
        {
            EnabledCollectors = Scraper.ResolveEnabled(overrides),
            Root = root is null ? FsRoot.Live : new FsRoot(root.FullName),
        };
        if (root is not null && !root.Exists)
        {
            return ConfigResult.Fail($"--root: directory '{root.FullName}' does not exist.");
        }

        return ConfigResult.Ok(config);
    }
}
