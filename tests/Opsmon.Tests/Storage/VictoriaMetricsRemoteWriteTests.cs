using System.Diagnostics;
using System.Globalization;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Storage;

/// <summary>
/// Remote write into Debian's real VictoriaMetrics on loopback: what Opsmon stores arrives there with the same
/// values at the same timestamps, and a VictoriaMetrics that starts late gets what Opsmon collected meanwhile.
/// </summary>
public sealed class VictoriaMetricsRemoteWriteTests : IDisposable
{
    private const string Counter = "opsmon_tsdb_samples_appended_total";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-vm-");
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly int _vmPort = RunningProcess.FreePort();

    private string VmUrl => $"http://127.0.0.1:{_vmPort}";

    public void Dispose()
    {
        _client.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Samples_arrive_in_victoria_metrics_with_the_values_opsmon_serves_at_the_same_timestamps()
    {
        await using var vm = await StartVictoriaMetricsAsync();
        await using var agent = await StartAgentAsync();

        var time = await agent.WaitForAsync($"timestamp({Counter})", _ => true, TimeSpan.FromSeconds(40));
        var ours = (await agent.QueryAsync(Counter, time))!.Value;
        var boot = (await agent.QueryAsync("node_boot_time_seconds", time))!.Value;

        Assert.Equal(ours, await WaitForVmValueAsync(Counter, time, agent));
        Assert.Equal(boot, await WaitForVmValueAsync("node_boot_time_seconds", time, agent));
    }

    [Fact]
    public async Task Victoria_metrics_started_late_gets_the_samples_collected_while_it_was_down()
    {
        await using var agent = await StartAgentAsync();
        var early = await agent.WaitForAsync($"timestamp({Counter})", _ => true, TimeSpan.FromSeconds(40));
        var ours = (await agent.QueryAsync(Counter, early))!.Value;
        await agent.WaitForAsync($"timestamp({Counter})", t => t >= early + 5, TimeSpan.FromSeconds(30));
        var lagWhileDown = await agent.SelfMetricAsync("opsmon_remote_write_lag_seconds");
        Assert.True(await agent.SelfMetricAsync("opsmon_remote_write_samples_failed_total") > 0, agent.Log);

        await using var vm = await StartVictoriaMetricsAsync();

        Assert.Equal(ours, await WaitForVmValueAsync(Counter, early, agent));
        var lag = await agent.WaitForSelfMetricAsync("opsmon_remote_write_lag_seconds", l => l < 9, TimeSpan.FromSeconds(30));
        Assert.True(lag < lagWhileDown);
    }

    private async Task<StorageAgent> StartAgentAsync()
    {
        var config = Path.Combine(_dir.FullName, "opsmon.yml");
        await File.WriteAllTextAsync(config, $"remote_write:\n  - url: {VmUrl}/api/v1/write\n");
        return await StorageAgent.StartAsync(Path.Combine(_dir.FullName, "opsmon"), "--config", config);
    }

    private async Task<RunningProcess> StartVictoriaMetricsAsync()
    {
        // latencyOffset 0: by default VictoriaMetrics hides the newest 30 s from queries.
        var vm = RunningProcess.Start(Tools.Require("victoria-metrics"), [
            $"-storageDataPath={Path.Combine(_dir.FullName, "vm")}", $"-httpListenAddr=127.0.0.1:{_vmPort}",
            "-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=WARN"]);
        try
        {
            await vm.WaitForHttpAsync($"{VmUrl}/health", TimeSpan.FromSeconds(30));
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }

        return vm;
    }

    /// <summary>Polls VictoriaMetrics until it has the sample of <paramref name="query"/> at exactly <paramref name="time"/>; returns its value.</summary>
    private async Task<double> WaitForVmValueAsync(string query, double time, StorageAgent agent)
    {
        var at = time.ToString(CultureInfo.InvariantCulture);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(45))
        {
            // An earlier sample within the lookback would answer too; wait for the one at `time` itself.
            if (await VmQueryAsync($"timestamp({query})", at) == time)
            {
                return (await VmQueryAsync(query, at))!.Value;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"{query} at {at} never reached VictoriaMetrics:\n{agent.Log}");
    }

    private async Task<double?> VmQueryAsync(string query, string time)
    {
        var url = $"{VmUrl}/api/v1/query?query={Uri.EscapeDataString(query)}&time={time}";
        // Freshly ingested rows become searchable after an in-memory buffer is flushed.
        using (await _client.GetAsync($"{VmUrl}/internal/force_flush"))
        {
        }

        var (status, body) = await Json.GetAsync(_client, url);
        Assert.True(status == 200, $"VictoriaMetrics answered {status}: {body}");
        var result = body.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : StorageAgent.ParseValue(result[0].GetProperty("value")[1].GetString()!);
    }
}
