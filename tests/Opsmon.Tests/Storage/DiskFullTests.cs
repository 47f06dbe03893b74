using System.Diagnostics;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Storage;

/// <summary>
/// The data directory on a small tmpfs that the test fills up: WAL writes fail, which the agent logs and counts
/// (opsmon_tsdb_write_errors_total) while collection and queries go on from memory; when space returns, writes
/// resume. Mounting needs root, which CI has.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-diskfull-");

    private string Mount => Path.Combine(_dir.FullName, "mnt");

    private string Data => Path.Combine(Mount, "data");

    private string Filler => Path.Combine(Mount, "filler");

    public async Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root", "The disk-full tests mount a tmpfs and need root (CI runs them as root; locally run them with sudo).");
        Directory.CreateDirectory(Mount);
        await RunAsync(Tools.Require("mount"), "-t", "tmpfs", "-o", "size=16m", "tmpfs", Mount);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RunAsync(Tools.Require("umount"), Mount);
        }
        finally
        {
            _dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_full_disk_is_counted_while_collection_and_queries_go_on_and_writes_resume_when_space_returns()
    {
        await using var agent = await StorageAgent.StartAsync(Data);
        await agent.WaitForAsync("count_over_time(node_boot_time_seconds[1h])", c => c >= 2, TimeSpan.FromSeconds(40));

        var segments = Segments();
        await FillDiskAsync();
        await agent.WaitForSelfMetricAsync("opsmon_tsdb_write_errors_total", e => e > 0, TimeSpan.FromSeconds(20));
        var fullAt = (await agent.QueryAsync("timestamp(node_boot_time_seconds)"))!.Value;

        // Collection goes on and the API answers from memory while nothing can be written.
        await agent.WaitForAsync("timestamp(node_boot_time_seconds)", t => t >= fullAt + 3, TimeSpan.FromSeconds(20));
        Assert.True(await agent.SelfMetricAsync("opsmon_tsdb_write_errors_total") >= 3);
        Assert.Contains("WAL write failed", agent.Log, StringComparison.Ordinal);

        var walBytes = WalBytes();
        File.Delete(Filler);
        await WaitForLogAsync(agent, "WAL writes resumed");
        var errors = await agent.SelfMetricAsync("opsmon_tsdb_write_errors_total");
        var now = (await agent.QueryAsync("timestamp(node_boot_time_seconds)"))!.Value;
        await agent.WaitForAsync("timestamp(node_boot_time_seconds)", t => t >= now + 3, TimeSpan.FromSeconds(20));

        Assert.Equal(errors, await agent.SelfMetricAsync("opsmon_tsdb_write_errors_total"));
        Assert.True(WalBytes() > walBytes, $"the WAL did not grow after space returned ({walBytes} bytes)");
        // Failed commits reuse the segment they were cut back in rather than leave an empty one each.
        Assert.True(Segments() <= segments + 1, $"{Segments()} WAL segments after the disk was full, {segments} before");
    }

    [Fact]
    public async Task Samples_written_after_space_returned_survive_a_restart()
    {
        double written;
        await using (var agent = await StorageAgent.StartAsync(Data))
        {
            await agent.WaitForAsync("count_over_time(node_boot_time_seconds[1h])", c => c >= 2, TimeSpan.FromSeconds(40));
            await FillDiskAsync();
            await agent.WaitForSelfMetricAsync("opsmon_tsdb_write_errors_total", e => e >= 2, TimeSpan.FromSeconds(20));
            File.Delete(Filler);
            await WaitForLogAsync(agent, "WAL writes resumed");
            var now = (await agent.QueryAsync("timestamp(node_boot_time_seconds)"))!.Value;
            written = await agent.WaitForAsync("timestamp(node_boot_time_seconds)", t => t >= now + 2, TimeSpan.FromSeconds(20));
            await agent.StopAsync();
        }

        await using var restarted = await StorageAgent.StartAsync(Data);

        Assert.Equal(written, await restarted.QueryAsync("timestamp(node_boot_time_seconds)", written));
    }

    /// <summary>Writes a file until the tmpfs has no space left.</summary>
    private async Task FillDiskAsync()
    {
        var block = new byte[64 * 1024];
        await using var stream = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        // 16 MiB of tmpfs: the bound only guards against a mount that is not there.
        for (var i = 0; i < 1024; i++)
        {
            try
            {
                await stream.WriteAsync(block);
            }
            catch (IOException)
            {
                return;
            }
        }

        Assert.Fail($"{Mount} never filled up: is the tmpfs mounted?");
    }

    private int Segments() => Directory.GetFiles(Path.Combine(Data, "wal")).Length;

    private long WalBytes() => Directory.GetFiles(Path.Combine(Data, "wal")).Sum(f => new FileInfo(f).Length);

    private static async Task WaitForLogAsync(StorageAgent agent, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (agent.Log.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the agent never logged '{text}':\n{agent.Log}");
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        await using var process = RunningProcess.Start(program, args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(code == 0, $"{program} {string.Join(' ', args)} exited with {code}:\n{process.Output}");
    }
}
