using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Native;

/// <summary>
/// Runs only where the native build is given (OPSMON_NATIVE, the executable scripts/publish-native.sh writes;
/// scripts/test.sh publishes one first); under CI=true a missing one fails the tests instead of skipping them.
/// </summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute()
    {
        if (NativeBuild.Path is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "no native build: run scripts/publish-native.sh and set OPSMON_NATIVE to the executable";
        }
    }
}

internal static class NativeBuild
{
    public static string? Path =>
        Environment.GetEnvironmentVariable("OPSMON_NATIVE") is { Length: > 0 } path && File.Exists(path) ? path : null;

    public static string Require() =>
        Path ?? throw new InvalidOperationException("OPSMON_NATIVE does not name the native opsmon executable: scripts/test.sh publishes it with scripts/publish-native.sh.");
}

/// <summary>
/// The native (NativeAOT) build runs what the trimmer and the AOT compiler could break: the YAML configuration
/// (YamlDotNet reflects over Opsmon's config types), its error positions, rule files and routing, the HTTP API,
/// block meta.json (source-generated JSON) through import and query, and the doctor's JSON report.
/// </summary>
public sealed class NativeBuildTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-native-");

    public void Dispose() => _dir.Delete(recursive: true);

    [NativeFact]
    public async Task The_agent_loads_a_full_configuration_and_serves_metrics_rules_and_queries()
    {
        var rules = Path.Combine(_dir.FullName, "test.rules.yml");
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: native
                interval: 1s
                rules:
                  - alert: AlwaysFiring
                    expr: vector(1)
                    labels: {severity: info}
                    annotations: {summary: "native build {{ $value }}"}
            """);
        var config = Path.Combine(_dir.FullName, "opsmon.yml");
        await File.WriteAllTextAsync(config, """
            process:
              top: 5
              groups:
                - name: "{{.Comm}}"
                  cmdline: ['.*']
            rule_files: [test.rules.yml]
            route: {receiver: ops, group_by: [alertname], group_wait: 1s}
            receivers:
              - name: ops
                actions: [clean]
            actions:
              - name: clean
                type: cache_cleanup
                match: ['alertname="NeverFires"']
                directories: [/nonexistent/opsmon-native]
                max_age: 7d
            doctor:
              cpu_utilization_warning_percent: 90
            """);
        var port = RunningProcess.FreePort();
        await using var agent = RunningProcess.Start(NativeBuild.Require(),
            ["run", "--config", config, "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(_dir.FullName, "data"), "--interval", "1s"]);
        var url = $"http://127.0.0.1:{port}";
        await agent.WaitForHttpAsync(url + "/-/healthy", TimeSpan.FromSeconds(30));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var metrics = await http.GetStringAsync(url + "/metrics");
        Assert.Contains("namedprocess_namegroup_num_procs{groupname=\"opsmon\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("node_cpu_seconds_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("\nprocess_resident_memory_bytes ", metrics, StringComparison.Ordinal);
        Assert.Contains("\ndotnet_collection_count_total{generation=\"2\"} ", metrics, StringComparison.Ordinal);

        // The heap trim (an aggressive collection) works in the native runtime too: start-up garbage is given back.
        var trims = 0.0;
        for (var poll = 0; poll < 15 && trims < 1; poll++)
        {
            await Task.Delay(2000); // reads far apart: each one is activity, and the trim waits for a quiet half second
            trims = Exposition.Parse(await http.GetStringAsync(url + "/metrics"))["opsmon_memory_trims_total"].Samples[0].Value;
        }

        Assert.True(trims >= 1, agent.Output);

        var firing = await PollAsync(async () =>
        {
            using var alerts = JsonDocument.Parse(await http.GetStringAsync(url + "/api/v1/alerts"));
            return alerts.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
                .Any(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "AlwaysFiring" && a.GetProperty("state").GetString() == "firing");
        });
        Assert.True(firing, agent.Output);

        var stored = await PollAsync(async () =>
        {
            using var answer = JsonDocument.Parse(await http.GetStringAsync(url + "/api/v1/query?query=count(node_cpu_seconds_total)"));
            return answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() == 1;
        });
        Assert.True(stored, agent.Output);
    }

    [NativeFact]
    public async Task The_executable_is_position_dependent_like_the_exporters_it_replaces()
    {
        // ET_EXEC (2), not ET_DYN (3): no load-time relocation of the runtime's type data (docs/ARCHITECTURE.md).
        var header = new byte[18];
        await using (var file = File.OpenRead(NativeBuild.Require()))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.Equal("\u007fELF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
        Assert.Equal(2, BitConverter.ToUInt16(header, 16));
    }

    [NativeFact]
    public async Task A_bad_configuration_is_reported_with_its_position_and_exit_code_2()
    {
        var config = Path.Combine(_dir.FullName, "bad.yml");
        await File.WriteAllTextAsync(config, "process:\n  top: 5\n  colour: blue\n");

        var (code, _, stderr) = await RunAsync(["run", "--config", config, "--listen", "127.0.0.1:" + RunningProcess.FreePort().ToString(CultureInfo.InvariantCulture)]);

        Assert.Equal(2, code);
        Assert.Contains(config + ":3:3: unknown key 'colour'", stderr, StringComparison.Ordinal);
    }

    [NativeFact]
    public async Task Imported_history_is_written_as_blocks_and_answered_by_query()
    {
        var start = (TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 3600 * 3600) - (6 * 3600);
        var lines = Enumerable.Range(0, 240).Select(i => string.Create(CultureInfo.InvariantCulture, $"native_test_total{{job=\"x\"}} {i * 2} {start + (i * 60)}"));
        var file = Path.Combine(_dir.FullName, "data.om");
        await File.WriteAllTextAsync(file, "# TYPE native_test counter\n" + string.Join('\n', lines) + "\n# EOF\n");
        var data = Path.Combine(_dir.FullName, "store");

        var import = await RunAsync(["import", file, "--data", data]);
        Assert.True(import.Code == 0, import.Stderr);
        Assert.NotEmpty(Directory.GetFiles(data, "meta.json", SearchOption.AllDirectories));

        var at = (start + (200 * 60)).ToString(CultureInfo.InvariantCulture);
        var query = await RunAsync(["query", "native_test_total", "--time", at, "--data", data]);
        Assert.True(query.Code == 0, query.Stderr);
        Assert.Contains("400", query.Stdout, StringComparison.Ordinal);
    }

    [NativeFact]
    public async Task Doctor_writes_its_json_report()
    {
        var (code, stdout, stderr) = await RunAsync(["doctor", "--duration", "2s", "--json"]);

        Assert.True(code is 0 or 1 or 2, stderr);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal(code, report.RootElement.GetProperty("exitCode").GetInt32());
        Assert.NotEmpty(report.RootElement.GetProperty("findings").EnumerateArray());
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var start = new ProcessStartInfo(NativeBuild.Require()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}
