using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>
/// An alert the test switches on and off: it fires while a test-owned process with a unique name runs (Opsmon's
/// process collector counts it in a group), and resolves once the test stops that process.
/// </summary>
public sealed class AlertFixture : IAsyncDisposable
{
    private RunningProcess? _marker;

    public AlertFixture(string alertName)
    {
        AlertName = alertName;
        Marker = "opsmon-marker-" + Guid.NewGuid().ToString("N")[..12];
        Directory = System.IO.Directory.CreateTempSubdirectory("opsmon-routing-");
    }

    public string AlertName { get; }

    public string Marker { get; }

    public DirectoryInfo Directory { get; }

    public string DataDirectory => Path.Combine(Directory.FullName, "data");

    /// <summary>Writes the rule file and a config (1 s collection and evaluation, the process group) ending in <paramref name="routing"/>.</summary>
    public async Task<string> WriteConfigAsync(string routing)
    {
        await File.WriteAllTextAsync(Path.Combine(Directory.FullName, "rules.yml"), $$$"""
            groups:
              - name: routing-test
                interval: 1s
                rules:
                  - alert: {{{AlertName}}}
                    expr: namedprocess_namegroup_num_procs{groupname="marker"} > 0
                    labels:
                      severity: critical
                    annotations:
                      summary: "marker process is running ({{ $value }})"
            """);
        var config = Path.Combine(Directory.FullName, "opsmon.yml");
        await File.WriteAllTextAsync(config, $"""
            rule_files: [rules.yml]
            evaluation_interval: 1s
            process:
              groups:
                - name: marker
                  cmdline: ['{Marker}']
            {routing}
            """);
        return config;
    }

    /// <summary>Starts the marker process: the alert fires at the next evaluation.</summary>
    public void Fire() => _marker = RunningProcess.Start("/bin/bash", ["-c", $"exec -a {Marker} sleep 300"]);

    /// <summary>Stops the marker process: the alert resolves at the next evaluation.</summary>
    public async Task ResolveAsync()
    {
        if (_marker is not null)
        {
            await _marker.DisposeAsync();
            _marker = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ResolveAsync();
        Directory.Delete(recursive: true);
    }
}
