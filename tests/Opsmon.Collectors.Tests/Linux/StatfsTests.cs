using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class StatfsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly StatfsResult Answer = new(StatfsStatus.Ok, 4096, 100, 50, 40, 1000, 900);

    [Fact]
    public void Live_statfs_returns_the_answer_that_comes_in_time()
    {
        var statfs = new LiveStatfs(Timeout, new ManualTimerProvider(), _ => Answer);

        Assert.Equal(Answer, statfs.Stat("/mnt/data"));
    }

    [Fact]
    public void Live_statfs_reports_a_failing_call_as_an_error()
    {
        var statfs = new LiveStatfs(Timeout, new ManualTimerProvider(), _ => throw new InvalidOperationException("EIO"));

        Assert.Equal(StatfsStatus.Error, statfs.Stat("/mnt/data").Status);
    }

    [Fact]
    public async Task Live_statfs_marks_a_mount_stuck_when_its_call_outlasts_the_timeout()
    {
        using var hung = new ManualResetEventSlim();
        var time = new ManualTimerProvider();
        var statfs = new LiveStatfs(Timeout, time, _ =>
        {
            hung.Wait();
            return Answer;
        });

        var result = Task.Run(() => statfs.Stat("/mnt/nfs"));
        await Poll.Until(() => time.PendingTimers == 1);
        time.Advance(Timeout);

        Assert.Equal(StatfsStatus.Stuck, (await result).Status);
        hung.Set();
    }

    [Fact]
    public async Task Live_statfs_does_not_call_a_stuck_mount_again_until_its_call_returns()
    {
        using var hung = new ManualResetEventSlim();
        var time = new ManualTimerProvider();
        var calls = 0;
        var statfs = new LiveStatfs(Timeout, time, _ =>
        {
            Interlocked.Increment(ref calls);
            hung.Wait();
            return Answer;
        });
        await MakeStuck(statfs, time, "/mnt/nfs");

        var again = statfs.Stat("/mnt/nfs");

        Assert.Equal(StatfsStatus.Stuck, again.Status);
        Assert.Equal(1, Volatile.Read(ref calls));
        hung.Set();
    }

    [Fact]
    public async Task Live_statfs_asks_a_stuck_mount_again_once_its_call_has_returned()
    {
        using var hung = new ManualResetEventSlim();
        var time = new ManualTimerProvider();
        var calls = 0;
        var statfs = new LiveStatfs(Timeout, time, _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                hung.Wait();
            }

            return Answer;
        });
        await MakeStuck(statfs, time, "/mnt/nfs");

        hung.Set();
        await Poll.Until(() => !statfs.IsStuck("/mnt/nfs"));

        Assert.Equal(Answer, statfs.Stat("/mnt/nfs"));
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public void Live_statfs_reads_the_root_file_system_of_this_machine()
    {
        var statfs = new LiveStatfs(Timeout, TimeProvider.System);

        var root = statfs.Stat("/");

        // DriveInfo asks statvfs(3); equal totals show our struct layout reads the right fields.
        Assert.Equal(StatfsStatus.Ok, root.Status);
        Assert.Equal(new DriveInfo("/").TotalSize, (long)(root.Blocks * root.BlockSize));
        Assert.InRange(root.BlocksAvailable, 0UL, root.BlocksFree);
    }

    [Fact]
    public void Live_statfs_reports_a_missing_path_as_an_error()
    {
        var statfs = new LiveStatfs(Timeout, TimeProvider.System);

        Assert.Equal(StatfsStatus.Error, statfs.Stat("/no/such/mount/point").Status);
    }

    [Fact]
    public void Recorded_statfs_reads_the_fixture_statfs_tsv()
    {
        var statfs = new RecordedStatfs(FixtureRoots.Root("debian12-vm"));

        // .statfs.tsv: "/	ext4	4096 66053021 62756625 20898097 16777216 16364114"
        Assert.Equal(new StatfsResult(StatfsStatus.Ok, 4096, 66053021, 62756625, 20898097, 16777216, 16364114), statfs.Stat("/"));
    }

    [Fact]
    public void Recorded_statfs_answers_an_unrecorded_mount_point_with_an_error()
    {
        var statfs = new RecordedStatfs(FixtureRoots.Root("debian12-vm"));

        Assert.Equal(StatfsStatus.Error, statfs.Stat("/mnt/unrecorded").Status);
    }

    [Fact]
    public void Recorded_statfs_keeps_a_tab_inside_a_mount_point()
    {
        using var tree = FixtureRoots.Temp().Write(".statfs.tsv", "/mnt/a\tb\txfs\t512 10 9 8 7 6\n");

        var statfs = new RecordedStatfs(tree.Root);

        Assert.Equal(new StatfsResult(StatfsStatus.Ok, 512, 10, 9, 8, 7, 6), statfs.Stat("/mnt/a\tb"));
    }

    [Fact]
    public void Recorded_statfs_without_a_statfs_tsv_answers_every_mount_with_an_error()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Equal(StatfsStatus.Error, new RecordedStatfs(tree.Root).Stat("/").Status);
    }

    private static async Task MakeStuck(LiveStatfs statfs, ManualTimerProvider time, string mountPoint)
    {
        var first = Task.Run(() => statfs.Stat(mountPoint));
        await Poll.Until(() => time.PendingTimers == 1);
        time.Advance(Timeout);
        Assert.Equal(StatfsStatus.Stuck, (await first).Status);
    }
}
