using System.Diagnostics;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>Debian's real Prometheus scrapes `opsmon run` on loopback and reports the target up.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_opsmon_and_reports_the_target_up()
    {
        var ourPort = RunningProcess.FreePort();
        var promPort = RunningProcess.FreePort();
        var dir = Directory.CreateTempSubdirectory("opsmon-prom-");
        try
        {
            var config = Path.Combine(dir.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(config, $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: opsmon
                    static_configs:
                      - targets: ['127.0.0.1:{ourPort}']
                """);
            await using var opsmon = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{ourPort}", "--data", Path.Combine(dir.FullName, "opsmon"));
            await using var prometheus = RunningProcess.Start(Tools.Require("prometheus"), [
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{promPort}"]);
            await opsmon.WaitForHttpAsync($"http://127.0.0.1:{ourPort}/-/healthy");
            await prometheus.WaitForHttpAsync($"http://127.0.0.1:{promPort}/-/ready");

            using var client = new HttpClient();
            var deadline = Stopwatch.StartNew();
            string? health = null;
            string? lastError = null;
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                using var doc = JsonDocument.Parse(await client.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/targets"));
                var target = doc.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().FirstOrDefault();
                if (target.ValueKind == JsonValueKind.Object)
                {
                    health = target.GetProperty("health").GetString();
                    lastError = target.GetProperty("lastError").GetString();
                    if (health == "up")
                    {
                        break;
                    }
                }

                await Task.Delay(250);
            }

            Assert.True(health == "up", $"target health {health}, last error '{lastError}'\n{prometheus.Output}");
            using var up = JsonDocument.Parse(await client.GetStringAsync($"http://127.0.0.1:{promPort}/api/v1/query?query=up%7Bjob%3D%22opsmon%22%7D"));
            var value = up.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString();
            Assert.Equal("1", value);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
