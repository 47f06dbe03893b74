using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>
/// Remote write against Debian's real Prometheus on loopback: what Opsmon sends is queryable there with the
/// same values, a receiver that starts late still gets what Opsmon collected meanwhile, and Prometheus can
/// remote-write into Opsmon's receiver.
/// </summary>
public sealed class RemoteWriteTests
{
    [Fact]
    public async Task Samples_collected_while_the_receiver_was_down_arrive_after_it_starts_with_the_same_values()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-rw-");
        try
        {
            var promPort = RunningProcess.FreePort();
            var ourPort = RunningProcess.FreePort();
            var config = Path.Combine(dir.FullName, "opsmon.yml");
            await File.WriteAllTextAsync(config, $"remote_write:\n  - url: http://127.0.0.1:{promPort}/api/v1/write\n");
            await using var opsmon = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{ourPort}", "--data", Path.Combine(dir.FullName, "opsmon"), "--interval", "1s", "--config", config);
            await opsmon.WaitForHttpAsync($"http://127.0.0.1:{ourPort}/-/ready");
            using var client = new HttpClient();

            // Let Opsmon collect for a while with no receiver, and remember a stored value from then.
            var early = await WaitForValueAsync(client, $"http://127.0.0.1:{ourPort}", "node_boot_time_seconds", TimeSpan.FromSeconds(20));
            await Task.Delay(2000);

            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "prometheus.yml"), "global:\n  scrape_interval: 1m\n");
            await using var prometheus = RunningProcess.Start(Tools.Require("prometheus"), [
                $"--config.file={Path.Combine(dir.FullName, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir.FullName, "prom")}",
                $"--web.listen-address=127.0.0.1:{promPort}", "--web.enable-remote-write-receiver"]);
            await prometheus.WaitForHttpAsync($"http://127.0.0.1:{promPort}/-/ready");

            // The early sample, stored before Prometheus ran, must reach it with the same value.
            var url = $"http://127.0.0.1:{promPort}/api/v1/query?query=node_boot_time_seconds&time={early.Time.ToString(CultureInfo.InvariantCulture)}";
            var deadline = Stopwatch.StartNew();
            string? theirs = null;
            while (deadline.Elapsed < TimeSpan.FromSeconds(40) && theirs is null)
            {
                var (_, body) = await Json.GetAsync(client, url);
                var result = body.GetProperty("data").GetProperty("result");
                theirs = result.GetArrayLength() > 0 ? result[0].GetProperty("value")[1].GetString() : null;
                if (theirs is null)
                {
                    await Task.Delay(500);
                }
            }

            Assert.True(theirs is not null, "Prometheus never received the early sample:\n" + opsmon.Output + prometheus.Output);
            Assert.Equal(early.Value, theirs);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Prometheus_remote_writes_into_opsmon_and_opsmon_answers_with_the_same_values()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-rwr-");
        try
        {
            var promPort = RunningProcess.FreePort();
            var ourPort = RunningProcess.FreePort();
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: self
                    static_configs:
                      - targets: ['127.0.0.1:{promPort}']
                remote_write:
                  - url: http://127.0.0.1:{ourPort}/api/v1/write
                    queue_config:
                      batch_send_deadline: 1s
                """);
            await using var opsmon = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{ourPort}", "--data", Path.Combine(dir.FullName, "opsmon"));
            await opsmon.WaitForHttpAsync($"http://127.0.0.1:{ourPort}/-/ready");
            await using var prometheus = RunningProcess.Start(Tools.Require("prometheus"), [
                $"--config.file={Path.Combine(dir.FullName, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir.FullName, "prom")}",
                $"--web.listen-address=127.0.0.1:{promPort}"]);
            await prometheus.WaitForHttpAsync($"http://127.0.0.1:{promPort}/-/ready");
            using var client = new HttpClient();

            var ours = await WaitForValueAsync(client, $"http://127.0.0.1:{ourPort}", "prometheus_build_info", TimeSpan.FromSeconds(40));
            var (_, body) = await Json.GetAsync(client, $"http://127.0.0.1:{promPort}/api/v1/query?query=prometheus_build_info&time={ours.Time.ToString(CultureInfo.InvariantCulture)}");
            var theirs = body.GetProperty("data").GetProperty("result")[0];

            Assert.Equal(theirs.GetProperty("value")[1].GetString(), ours.Value);
            Assert.Equal(theirs.GetProperty("metric").GetProperty("version").GetString(), ours.Metric.GetProperty("version").GetString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<(double Time, string Value, JsonElement Metric)> WaitForValueAsync(HttpClient client, string baseUrl, string query, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var (_, body) = await Json.GetAsync(client, $"{baseUrl}/api/v1/query?query={Uri.EscapeDataString(query)}");
            var result = body.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() > 0)
            {
                var value = result[0].GetProperty("value");
                // The instant query answers at "now"; ask for the sample's own timestamp via timestamp().
                var (_, ts) = await Json.GetAsync(client, $"{baseUrl}/api/v1/query?query={Uri.EscapeDataString($"timestamp({query})")}");
                var t = double.Parse(ts.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                return (t, value[1].GetString()!, result[0].GetProperty("metric").Clone());
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{query} never appeared at {baseUrl}");
    }
}
