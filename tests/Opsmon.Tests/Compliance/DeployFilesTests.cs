using System.Diagnostics;
using System.Text.Json;
using Opsmon.Query;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Compliance;

/// <summary>The files under deploy/ are what users install: Prometheus must accept its config, and every dashboard query must run on Opsmon.</summary>
public sealed class DeployFilesTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-deploy-");

    internal static string Deploy => Path.Combine(RepositoryRoot(), "deploy");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Prometheus_config_passes_promtool_check_config()
    {
        var promtool = Tools.Require("promtool");
        var config = Path.Combine(_dir.FullName, "prometheus.yml");
        File.Copy(Path.Combine(Deploy, "prometheus.yml"), config);

        await using var check = RunningProcess.Start(promtool, ["check", "config", config]);
        var code = await check.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 0, check.Output);
        Assert.Contains("SUCCESS", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_config_loads_the_default_rule_pack()
    {
        var promtool = Tools.Require("promtool");
        var config = Path.Combine(_dir.FullName, "prometheus.yml");
        File.Copy(Path.Combine(Deploy, "prometheus.yml"), config);
        var rules = Directory.CreateDirectory(Path.Combine(_dir.FullName, "rules"));
        foreach (var file in Directory.GetFiles(Path.Combine(Deploy, "rules")))
        {
            File.Copy(file, Path.Combine(rules.FullName, Path.GetFileName(file)));
        }

        await using var check = RunningProcess.Start(promtool, ["check", "config", config]);
        var code = await check.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 0, check.Output);
        Assert.Contains($"SUCCESS: {Directory.GetFiles(rules.FullName, "*.rules.yml").Length} rule files found", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_rule_pack_runs_on_opsmon_run_without_errors()
    {
        var config = Path.Combine(_dir.FullName, "opsmon.yml");
        File.WriteAllText(config, $"rule_files:\n  - {Path.Combine(Deploy, "rules")}/*.rules.yml\nevaluation_interval: 1s\n");
        var port = RunningProcess.FreePort();
        await using var agent = RunningProcess.StartOpsmon("run", "--config", config, "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(_dir.FullName, "data"), "--interval", "1s");
        await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Every rule evaluated at least once, and none reports an error (an unknown function, a type error).
        var clock = Stopwatch.StartNew();
        List<JsonElement> rules = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (_, body) = await Json.GetAsync(client, $"http://127.0.0.1:{port}/api/v1/rules");
            rules = [.. body.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray())];
            if (rules.Count > 0 && rules.All(r => r.GetProperty("health").GetString() != "unknown"))
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(12, rules.Count);
        Assert.All(rules, r => Assert.True(r.GetProperty("health").GetString() == "ok", r.ToString()));
    }

    [Fact]
    public void Prometheus_config_scrapes_opsmon_on_its_default_address()
    {
        var text = File.ReadAllText(Path.Combine(Deploy, "prometheus.yml"));

        Assert.Contains("targets: [\"127.0.0.1:9184\"]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Grafana_data_source_is_a_prometheus_one_pointing_at_opsmon()
    {
        var text = File.ReadAllText(Path.Combine(Deploy, "grafana", "provisioning", "datasources", "opsmon.yml"));

        Assert.Contains("type: prometheus", text, StringComparison.Ordinal);
        Assert.Contains("url: http://127.0.0.1:9184", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Systemd_unit_passes_systemd_analyze_verify()
    {
        var analyze = Tools.Require("systemd-analyze");
        var unit = Path.Combine(_dir.FullName, "opsmon.service");
        // verify insists that ExecStart's program exists; point it at one that does, the rest of the unit is checked as written.
        File.WriteAllText(unit, File.ReadAllText(Path.Combine(Deploy, "systemd", "opsmon.service")).Replace("/usr/local/bin/opsmon", "/bin/true", StringComparison.Ordinal));

        await using var verify = RunningProcess.Start(analyze, ["verify", unit]);
        var code = await verify.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 0, verify.Output);
        Assert.DoesNotContain("opsmon.service:", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dashboards_are_system_health_and_optimization_on_the_opsmon_data_source()
    {
        var titles = new List<string>();
        foreach (var file in DashboardFiles())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            titles.Add(doc.RootElement.GetProperty("title").GetString()!);
            Assert.Equal("opsmon", doc.RootElement.GetProperty("templating").GetProperty("list")[0].GetProperty("current").GetProperty("value").GetString());
        }

        Assert.Equal(["Optimization", "System health"], titles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Optimization_dashboard_has_the_panels_the_gateway_fills()
    {
        var titles = DashboardQueries().Where(q => q.Panel.StartsWith("optimization.json", StringComparison.Ordinal)).Select(q => q.Panel).ToList();

        Assert.Contains(titles, t => t.Contains("\"API usage", StringComparison.Ordinal));
        Assert.Contains(titles, t => t.Contains("\"Model performance", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_dashboard_query_parses()
    {
        var queries = DashboardQueries();

        Assert.NotEmpty(queries);
        Assert.All(queries, q => Assert.True(Parser.Parse(q.Expr).IsSuccess, $"{q.Panel}: {q.Expr}: {Parser.Parse(q.Expr).Error}"));
    }

    [Fact]
    public async Task Every_dashboard_query_runs_on_opsmon_run()
    {
        var port = RunningProcess.FreePort();
        await using var agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(_dir.FullName, "data"), "--interval", "1s");
        await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await WaitForSamplesAsync(client, port);

        var failures = new List<string>();
        foreach (var (panel, expr) in DashboardQueries())
        {
            var (status, body) = await Json.PostFormAsync(client, $"http://127.0.0.1:{port}/api/v1/query", ("query", expr));
            if (status != 200 || body.GetProperty("status").GetString() != "success")
            {
                failures.Add($"{panel}: {expr}: {status} {body}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    internal static string[] DashboardFiles() => Directory.GetFiles(Path.Combine(Deploy, "grafana", "dashboards"), "*.json");

    /// <summary>Every target expression of every panel (rows have none), with Grafana's interval variables replaced as Grafana would.</summary>
    internal static List<(string Panel, string Expr)> DashboardQueries(string rateInterval = "1m", string interval = "15s")
    {
        var queries = new List<(string, string)>();
        foreach (var file in DashboardFiles())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in doc.RootElement.GetProperty("panels").EnumerateArray())
            {
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                foreach (var target in targets.EnumerateArray())
                {
                    var expr = target.GetProperty("expr").GetString()!
                        .Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
                        .Replace("$__interval", interval, StringComparison.Ordinal)
                        .Replace("$__range", "1h", StringComparison.Ordinal);
                    queries.Add(($"{Path.GetFileName(file)} \"{panel.GetProperty("title").GetString()}\"", expr));
                }
            }
        }

        return queries;
    }

    private static async Task WaitForSamplesAsync(HttpClient client, int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (_, body) = await Json.GetAsync(client, $"http://127.0.0.1:{port}/api/v1/query?query=count_over_time(node_load1[1m])");
            if (body.GetProperty("data").GetProperty("result").GetArrayLength() == 1)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("opsmon run stored nothing within 30 s");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Opsmon.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Opsmon.slnx above {AppContext.BaseDirectory}");
    }
}
