using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Compliance;

/// <summary>
/// Every dashboard panel must show the same series whether Grafana points it at Opsmon or at a Prometheus scraping Opsmon:
/// both answer each panel query at the same instant, and the label sets agree (values differ by scrape timing only).
/// </summary>
public sealed class DashboardParityTests : IDisposable
{
    // Rates need at least two samples in their window; 1 s scrapes for ~20 s give plenty in 1m.
    private const string RateInterval = "1m";
    private const string Interval = "5s";

    // Prometheus attaches these from its scrape config; Opsmon serves its own data without them.
    private static readonly string[] ScrapeLabels = ["job", "instance"];

    /// <summary>Metrics that may be absent here, so their panels may be empty on both sides.</summary>
    private static readonly Dictionary<string, string> MayBeAbsent = new(StringComparer.Ordinal)
    {
        // The analyzer publishes these after its first analysis minute, longer than this test runs.
        ["opsmon_memory_leak_suspect"] = "published after the first analysis minute",
        ["opsmon_process_memory_growth_bytes_per_second"] = "published after the first analysis minute",
        // cpu.stat has throttled_usec only for cgroups with a CPU limit, which a test machine need not have.
        ["opsmon_cgroup_cpu_throttled_seconds_total"] = "present only for cgroups with a CPU limit",
    };

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-dashboards-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Every_panel_query_gives_the_same_series_on_opsmon_and_on_prometheus_scraping_it()
    {
        var prometheusBinary = Tools.Require("prometheus");
        var opsmonPort = RunningProcess.FreePort();
        var promPort = RunningProcess.FreePort();
        await using var agent = RunningProcess.StartOpsmon("run", "--interval", "1s", "--data", Path.Combine(_dir.FullName, "opsmon"), "--listen", $"127.0.0.1:{opsmonPort}");
        await agent.WaitForHttpAsync($"http://127.0.0.1:{opsmonPort}/-/ready");
        var config = Path.Combine(_dir.FullName, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: opsmon
                static_configs:
                  - targets: ["127.0.0.1:{opsmonPort}"]
            """);
        await using var prometheus = RunningProcess.Start(prometheusBinary, [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_dir.FullName, "prometheus")}",
            $"--web.listen-address=127.0.0.1:{promPort}"]);
        await prometheus.WaitForHttpAsync($"http://127.0.0.1:{promPort}/-/ready");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var opsmonApi = $"http://127.0.0.1:{opsmonPort}/api/v1/query";
        var promApi = $"http://127.0.0.1:{promPort}/api/v1/query";
        await WaitForSamplesAsync(client, promApi, 20);

        // A whole second a little in the past, so both stores hold their latest samples for it.
        var at = (TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 2).ToString(CultureInfo.InvariantCulture);
        var failures = new List<string>();
        var queries = DeployFilesTests.DashboardQueries(RateInterval, Interval);
        foreach (var (panel, expr) in queries)
        {
            var ours = await QueryAsync(client, opsmonApi, expr, at);
            var theirs = await QueryAsync(client, promApi, expr, at);
            if ((ours.Error ?? theirs.Error) is { } error)
            {
                failures.Add($"{panel}: {expr}: {error}");
                continue;
            }

            var optional = MayBeAbsent.Keys.Any(m => expr.Contains(m, StringComparison.Ordinal));
            if (ours.Series.Count == 0 || theirs.Series.Count == 0)
            {
                if (!optional || ours.Series.Count != theirs.Series.Count)
                {
                    failures.Add($"{panel}: {expr}: {ours.Series.Count} series on Opsmon, {theirs.Series.Count} on Prometheus");
                }

                continue;
            }

            // topk ranks by value, and values differ by scrape timing: only the shape of the series must agree there.
            var (mine, peer) = expr.StartsWith("topk(", StringComparison.Ordinal)
                ? (ours.Shapes, theirs.Shapes)
                : (ours.Series, theirs.Series);
            if (!mine.SetEquals(peer))
            {
                failures.Add($"{panel}: {expr}: only on Opsmon [{string.Join("; ", mine.Except(peer).Take(5))}], only on Prometheus [{string.Join("; ", peer.Except(mine).Take(5))}]");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {queries.Count} panel queries differ:\n{string.Join('\n', failures)}");
    }

    /// <param name="Shapes">The label names of each series, without their values.</param>
    private sealed record Answer(string? Error, HashSet<string> Series, HashSet<string> Shapes);

    /// <summary>An instant query's series as sorted "name=value" lists without the scrape labels, or why it failed.</summary>
    private static async Task<Answer> QueryAsync(HttpClient client, string api, string expr, string at)
    {
        var (status, body) = await Json.PostFormAsync(client, api, ("query", expr), ("time", at));
        if (status != 200 || body.GetProperty("status").GetString() != "success")
        {
            return new Answer($"{api} answered {status} {body}", [], []);
        }

        var data = body.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
        {
            return new Answer($"{api} answered {data.GetProperty("resultType").GetString()}, not a vector", [], []);
        }

        var series = new HashSet<string>(StringComparer.Ordinal);
        var shapes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject()
                .Where(l => !ScrapeLabels.Contains(l.Name))
                .OrderBy(l => l.Name, StringComparer.Ordinal)
                .ToList();
            series.Add(string.Join(", ", labels.Select(l => $"{l.Name}={JsonSerializer.Serialize(l.Value.GetString())}")));
            shapes.Add(string.Join(", ", labels.Select(l => l.Name)));
        }

        return new Answer(null, series, shapes);
    }

    /// <summary>Waits until Prometheus holds <paramref name="count"/> scrapes, so every rate window has data on both sides.</summary>
    private static async Task WaitForSamplesAsync(HttpClient client, string api, int count)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(45))
        {
            var (_, body) = await Json.PostFormAsync(client, api, ("query", "count_over_time(node_load1[1m])"));
            var result = body.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 1 && double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture) >= count)
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Prometheus did not store {count} scrapes of Opsmon within 45 s");
    }
}
