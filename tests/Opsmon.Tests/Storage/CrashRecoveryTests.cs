namespace Opsmon.Tests.Storage;

/// <summary>
/// kill -9 of the agent in the middle of collecting: the WAL (fsync per commit by default) must give back,
/// on the next start, every sample the API had already served, with nothing reported corrupt.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-crash-");

    private string Data => Path.Combine(_dir.FullName, "data");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Every_sample_served_before_a_kill_9_is_served_again_after_restart()
    {
        const string All = "sum(count_over_time(node_cpu_seconds_total[1h]))";
        double newest;
        double countBefore;
        double bootBefore;
        await using (var agent = await StorageAgent.StartAsync(Data))
        {
            await agent.WaitForAsync("count_over_time(node_boot_time_seconds[1h])", c => c >= 5, TimeSpan.FromSeconds(40));
            newest = (await agent.QueryAsync("timestamp(node_boot_time_seconds)"))!.Value;
            // The commit at `newest` may still be appending to the head while we ask; the one before it is complete.
            countBefore = (await agent.QueryAsync(All, newest - 1))!.Value;
            bootBefore = (await agent.QueryAsync("node_boot_time_seconds", newest))!.Value;

            await agent.KillAsync();
        }

        await using var restarted = await StorageAgent.StartAsync(Data);

        Assert.Equal(countBefore, await restarted.QueryAsync(All, newest - 1));
        Assert.Equal(bootBefore, await restarted.QueryAsync("node_boot_time_seconds", newest));
        Assert.Equal(0, await restarted.SelfMetricAsync("opsmon_tsdb_quarantined_blocks"));
        // SIGKILL leaves the page cache intact, so not even a torn tail is expected.
        Assert.Equal(0, await restarted.SelfMetricAsync("opsmon_tsdb_wal_repairs_total"));
        Assert.DoesNotContain("corrupt", restarted.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_agent_collects_on_after_a_kill_9_restart()
    {
        double newest;
        await using (var agent = await StorageAgent.StartAsync(Data))
        {
            newest = await agent.WaitForAsync("timestamp(node_boot_time_seconds)", _ => true, TimeSpan.FromSeconds(40));
            await agent.KillAsync();
        }

        await using var restarted = await StorageAgent.StartAsync(Data);

        var later = await restarted.WaitForAsync("timestamp(node_boot_time_seconds)", t => t > newest + 1, TimeSpan.FromSeconds(30));
        Assert.True(later > newest);
        Assert.Equal(0, await restarted.SelfMetricAsync("opsmon_tsdb_out_of_order_samples_total"));
    }
}
