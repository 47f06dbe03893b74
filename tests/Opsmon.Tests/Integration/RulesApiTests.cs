using System.Diagnostics;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>Rule files configured for `opsmon run`: evaluated, visible in /api/v1/rules and /api/v1/alerts, reloadable.</summary>
public sealed class RulesApiTests
{
    private const string Rules = """
        groups:
          - name: host
            interval: 1s
            rules:
              - record: opsmon:load1:max
                expr: max(node_load1)
              - alert: AlwaysOn
                expr: node_load1 >= 0
                labels:
                  severity: info
                annotations:
                  summary: "load {{ $value }}"
        """;

    [Fact]
    public async Task Configured_rules_are_evaluated_and_listed_and_a_bad_reload_keeps_them()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-rules-api-");
        try
        {
            var rules = Path.Combine(dir.FullName, "rules.yml");
            await File.WriteAllTextAsync(rules, Rules);
            var config = Path.Combine(dir.FullName, "opsmon.yml");
            await File.WriteAllTextAsync(config, "rule_files: [rules.yml]\nevaluation_interval: 1s\n");
            var port = RunningProcess.FreePort();
            await using var agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(dir.FullName, "data"), "--interval", "1s", "--config", config);
            await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");
            using var client = new HttpClient();

            var deadline = Stopwatch.StartNew();
            var firing = false;
            while (!firing && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                var (_, alerts) = await Json.GetAsync(client, $"http://127.0.0.1:{port}/api/v1/alerts");
                firing = alerts.GetProperty("data").GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("state").GetString() == "firing");
                await Task.Delay(250);
            }

            Assert.True(firing, "AlwaysOn never fired:\n" + agent.Output);
            var (_, recorded) = await Json.GetAsync(client, $"http://127.0.0.1:{port}/api/v1/query?query=opsmon:load1:max");
            Assert.Equal(1, recorded.GetProperty("data").GetProperty("result").GetArrayLength());
            var (_, alertsSeries) = await Json.GetAsync(client, $"http://127.0.0.1:{port}/api/v1/query?query=ALERTS%7Balertname%3D%22AlwaysOn%22%7D");
            Assert.Equal("firing", alertsSeries.GetProperty("data").GetProperty("result")[0].GetProperty("metric").GetProperty("alertstate").GetString());

            await File.WriteAllTextAsync(rules, "groups:\n  - name: host\n    rules:\n      - alert: Broken\n        expr: sum(\n");
            using var reload = await client.PostAsync($"http://127.0.0.1:{port}/-/reload", null);
            var (_, listed) = await Json.GetAsync(client, $"http://127.0.0.1:{port}/api/v1/rules");

            Assert.Equal(500, (int)reload.StatusCode);
            Assert.Contains("rules.yml:5", await reload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var names = listed.GetProperty("data").GetProperty("groups")[0].GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString());
            Assert.Contains("AlwaysOn", names);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_rule_file_at_start_exits_2_naming_the_line()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-rules-bad-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "rules.yml"), "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: rate(\n");
            var config = Path.Combine(dir.FullName, "opsmon.yml");
            await File.WriteAllTextAsync(config, "rule_files: [rules.yml]\n");

            var result = await CliRun.RunAsync("run", "--listen", $"127.0.0.1:{RunningProcess.FreePort()}", "--data", Path.Combine(dir.FullName, "data"), "--config", config);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("rules.yml:5", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
