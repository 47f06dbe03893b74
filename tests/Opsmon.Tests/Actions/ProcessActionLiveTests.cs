using System.Diagnostics;
using System.Globalization;
using Opsmon.Rules.Audit;
using Opsmon.Tests.Support;
using static Opsmon.Tests.Actions.LiveActions;

namespace Opsmon.Tests.Actions;

/// <summary>terminate and priority on test-owned children, checked in /proc.</summary>
public sealed class ProcessActionLiveTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly LiveActions _live = new();
    private readonly List<Process> _children = [];

    public void Dispose()
    {
        foreach (var child in _children)
        {
            try
            {
                child.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            child.Dispose();
        }

        _live.Dispose();
    }

    private int Child(params string[] argv)
    {
        var info = new ProcessStartInfo(argv[0]) { UseShellExecute = false };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        var child = Process.Start(info)!;
        _children.Add(child);
        return child.Id;
    }

    private async Task<AuditRecord> Run(string actionYaml, int pid)
    {
        var runner = _live.Runner("actions:\n" + actionYaml, new ManualClock(Start));
        var alert = Alert("Offender", Start, 1, ("pid", pid.ToString(CultureInfo.InvariantCulture)));
        return Assert.Single(await runner.RunAsync("act", alert, Notify(alert), CancellationToken.None));
    }

    [Fact]
    public async Task Terminate_sends_SIGKILL_after_the_grace_period_to_a_child_that_ignores_SIGTERM()
    {
        // exec keeps the ignored SIGTERM: sleep itself ignores it.
        var pid = Child(Tools.Require("sh"), "-c", "trap '' TERM; exec sleep 60");
        await Until(() => File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("sleep", StringComparison.Ordinal), "the child exec'ing sleep");
        var clock = Stopwatch.StartNew();

        var record = await Run("""
              - name: act
                type: terminate
                match: ['alertname="Offender"']
                process: {comm: sleep}
                grace_period: 1s
                timeout: 10s
            """, pid);

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Contains("sent SIGKILL", record.Output, StringComparison.Ordinal);
        Assert.False(Alive(pid));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"SIGKILL came after {clock.Elapsed}, before the grace period");
    }

    [Fact]
    public async Task Terminate_stops_at_SIGTERM_when_the_child_exits_on_it()
    {
        var pid = Child(Tools.Require("sleep"), "60");

        var record = await Run("""
              - name: act
                type: terminate
                match: ['alertname="Offender"']
                process: {comm: sleep}
                grace_period: 5s
                timeout: 10s
            """, pid);

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.StartsWith($"sent SIGTERM to pid {pid} (sleep); it exited after", record.Output, StringComparison.Ordinal);
        Assert.False(Alive(pid));
    }

    [Fact]
    public async Task Priority_renices_the_child_and_proc_shows_the_new_nice_value()
    {
        var pid = Child(Tools.Require("sleep"), "60");
        Assert.Equal("0", StatField(pid, 19));

        var record = await Run("""
              - name: act
                type: priority
                match: ['alertname="Offender"']
                process: {comm: sleep}
                nice: 7
            """, pid);

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal("7", StatField(pid, 19));
    }

    [Fact]
    public async Task Priority_sets_the_io_class_and_ionice_reads_it_back()
    {
        var pid = Child(Tools.Require("sleep"), "60");

        var record = await Run("""
              - name: act
                type: priority
                match: ['alertname="Offender"']
                process: {comm: sleep}
                ionice_class: best-effort
                ionice_level: 6
            """, pid);

        Assert.Equal(AuditResult.Ok, record.Result);
        var ionice = RunningProcess.Start(Tools.Require("ionice"), ["-p", pid.ToString(CultureInfo.InvariantCulture)]);
        await ionice.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Until(() => ionice.Output.Length > 0, "ionice's answer", TimeSpan.FromSeconds(5));
        Assert.Equal("best-effort: prio 6", ionice.Output.Trim());
        await ionice.DisposeAsync();
    }
}
