using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Rules.Tests.Actions.ActionFixtures;

namespace Opsmon.Rules.Tests.Actions;

/// <summary>
/// The safety rules of the process actions, over a recorded /proc tree: they hold before any signal is sent, so
/// these tests run the real terminate action (not in dry run) and show it refuses.
/// </summary>
public sealed class ProcessSafetyTests : IDisposable
{
    private const int Self = 4000;
    private readonly ActionFixtures _f = new();
    private readonly FakeProc _proc;

    public ProcessSafetyTests()
    {
        _proc = new FakeProc(Path.Combine(_f.Dir, "proc"))
            .Process(1, "init")
            .Process(2, "kthreadd", kernelThread: true)
            .Process(Self, "opsmon")
            .Process(4100, "hog", rssPages: 5000)
            .Process(4101, "hog", rssPages: 9000)
            .Process(4102, "hog", uid: 1000, rssPages: 20000)
            .Process(4200, "editor", rssPages: 99999);
    }

    public void Dispose() => _f.Dispose();

    private ActionRunner Runner(string comm, bool allowOtherUsers = false, bool dryRun = false) =>
        _f.Runner(_proc.Host(selfPid: Self), Spec("kill", new TerminateSettings(Selector(comm, allowOtherUsers), TimeSpan.FromSeconds(1))) with { DryRun = dryRun });

    private static async Task<AuditRecord> Deliver(ActionRunner runner, params (string Name, string Value)[] labels)
    {
        var alert = Alert("HighMemory", labels);
        return Assert.Single(await runner.RunAsync("kill", alert, Notify(alert), CancellationToken.None));
    }

    [Fact]
    public async Task PID_1_is_refused_even_when_the_selector_matches_it()
    {
        var record = await Deliver(Runner(".*"), ("pid", "1"));

        Assert.Equal((AuditResult.Refused, "PID 1 (init) is never acted on"), (record.Result, record.Error));
    }

    [Fact]
    public async Task A_kernel_thread_is_refused()
    {
        var record = await Deliver(Runner(".*"), ("pid", "2"));

        Assert.Equal((AuditResult.Refused, "pid 2 (kthreadd) is a kernel thread"), (record.Result, record.Error));
    }

    [Fact]
    public async Task Opsmon_itself_is_refused()
    {
        var record = await Deliver(Runner(".*"), ("pid", "4000"));

        Assert.Equal((AuditResult.Refused, "pid 4000 (opsmon) is Opsmon itself"), (record.Result, record.Error));
    }

    [Fact]
    public async Task Another_users_process_is_refused()
    {
        var record = await Deliver(Runner("hog"), ("pid", "4102"));

        Assert.Equal(AuditResult.Refused, record.Result);
        Assert.Equal("pid 4102 (hog) belongs to uid 1000, not Opsmon's uid 0 (allow_other_users is off)", record.Error);
    }

    [Fact]
    public async Task Another_users_process_may_be_chosen_with_allow_other_users()
    {
        var record = await Deliver(Runner("hog", allowOtherUsers: true, dryRun: true), ("pid", "4102"));

        Assert.Equal(AuditResult.DryRun, record.Result);
        Assert.Equal("pid 4102 (hog)", record.Target);
    }

    [Fact]
    public async Task A_process_from_the_pid_label_that_the_selector_does_not_match_is_refused()
    {
        var record = await Deliver(Runner("hog"), ("pid", "4200"));

        Assert.Equal((AuditResult.Refused, "pid 4200 (editor) does not match the action's process selector"), (record.Result, record.Error));
    }

    [Fact]
    public async Task Without_a_pid_label_the_largest_allowed_process_within_the_selector_is_chosen()
    {
        // 4102 is larger but another user's; 4200 is larger still but outside the selector.
        var record = await Deliver(Runner("hog", dryRun: true));

        Assert.Equal("pid 4101 (hog)", record.Target);
        Assert.Equal("would send SIGTERM to pid 4101 (hog), then SIGKILL if it still runs after 00:00:01", record.Output);
    }

    [Fact]
    public async Task A_selector_that_matches_nothing_is_a_failure_that_says_so()
    {
        var record = await Deliver(Runner("nothing-like-this"));

        Assert.Equal((AuditResult.Failed, "no process matches the action's process selector"), (record.Result, record.Error));
    }

    [Fact]
    public async Task A_pid_label_of_a_process_that_is_gone_is_a_failure()
    {
        var record = await Deliver(Runner("hog"), ("pid", "77777"));

        Assert.Equal((AuditResult.Failed, "process 77777 from the alert's pid label is gone"), (record.Result, record.Error));
    }

    [Fact]
    public async Task Refusals_do_not_count_toward_the_cooldown()
    {
        var runner = Runner("hog", dryRun: true);
        await Deliver(runner, ("pid", "4102"));

        var record = await Deliver(runner, ("pid", "4101"));

        Assert.Equal(AuditResult.DryRun, record.Result);
    }

    [Fact]
    public async Task Priority_refuses_pid_1_too()
    {
        var spec = Spec("nice", new PrioritySettings(Selector(".*"), 10, null, null));
        var runner = _f.Runner(_proc.Host(selfPid: Self), spec);
        var alert = Alert("HighMemory", ("pid", "1"));

        var record = Assert.Single(await runner.RunAsync("nice", alert, Notify(alert), CancellationToken.None));

        Assert.Equal(AuditResult.Refused, record.Result);
    }
}
