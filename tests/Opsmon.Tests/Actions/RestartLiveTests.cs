using System.Globalization;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Routing;
using Opsmon.Tests.Support;
using static Opsmon.Tests.Actions.LiveActions;

namespace Opsmon.Tests.Actions;

/// <summary>
/// The restart action's command form, live: a test-owned child (Opsmon.TestLeaker holding 40 MB) crosses a 30 MB
/// threshold, the test raises the alert from its live resident size and delivers it through ActionIntegration, and
/// the configured restart command replaces the child; its health check waits until the new child is ready.
/// </summary>
public sealed class RestartLiveTests : IAsyncLifetime
{
    private const long Threshold = 30_000_000;
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly LiveActions _live = new();
    private readonly ManualClock _clock = new(Start);
    private RunningProcess? _first;

    private string PidFile => Path.Combine(_live.Dir, "child.pid");

    private string Restarts => Path.Combine(_live.Dir, "restarts.log");

    private int CurrentPid => int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture);

    private int RestartCount => File.Exists(Restarts) ? File.ReadAllLines(Restarts).Length : 0;

    public async Task InitializeAsync()
    {
        // The restart command: stop the child in the pid file, start a new one detached from our pipes, record it.
        var leaker = $"{Tools.Dotnet} {Path.Combine(AppContext.BaseDirectory, "Opsmon.TestLeaker.dll")} steady --mb 40 --lifetime 60";
        File.WriteAllText(Path.Combine(_live.Dir, "restart.sh"), $"""
            old=$(cat {PidFile})
            kill "$old"
            {leaker} > {_live.Dir}/child.out 2>&1 < /dev/null &
            echo $! > {PidFile}
            echo restarted >> {Restarts}
            echo "replaced $old by $!"
            """);
        _first = RunningProcess.Start(Tools.Dotnet, [Path.Combine(AppContext.BaseDirectory, "Opsmon.TestLeaker.dll"), "steady", "--mb", "40", "--lifetime", "60"]);
        File.WriteAllText(PidFile, _first.Pid.ToString(CultureInfo.InvariantCulture));
        await Until(() => _first.Output.Contains("ready", StringComparison.Ordinal), "the first child getting ready");
    }

    private ActionRunner Runner(int maxRuns) => _live.Runner($"""
        actions:
          - name: restart-leaker
            type: restart
            match: ['alertname="ProcessMemoryHigh"', 'job="leaker"']
            command: [/bin/sh, {_live.Dir}/restart.sh]
            health_command: [/bin/sh, -c, 'kill -0 $(cat {PidFile}) && grep -q ready {_live.Dir}/child.out']
            health_timeout: 20s
            health_interval: 100ms
            timeout: 25s
            cooldown: 5m
            max_runs: {maxRuns}
            window: 1h
        """, _clock);

    /// <summary>Waits until the current child's resident set is above the threshold, then raises the alert for it.</summary>
    private async Task<AlertSnapshot> CrossingAsync()
    {
        var pid = CurrentPid;
        await Until(() => Rss(pid) > Threshold, $"child {pid} crossing {Threshold} bytes");
        return Alert("ProcessMemoryHigh", _clock.GetUtcNow(), Rss(pid), ("job", "leaker"), ("pid", pid.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<DeliveryResult> Deliver(ActionRunner runner, AlertSnapshot alert) =>
        await new ActionIntegration(runner, ["restart-leaker"]).DeliverAsync(Notify(alert), CancellationToken.None);

    [Fact]
    public async Task A_child_that_crosses_the_threshold_is_restarted_once_and_comes_back_healthy()
    {
        var runner = Runner(maxRuns: 3);
        var old = CurrentPid;

        var result = await Deliver(runner, await CrossingAsync());

        Assert.True(result.Success, result.Error);
        Assert.Equal(1, RestartCount);
        Assert.NotEqual(old, CurrentPid);
        Assert.True(Alive(CurrentPid));
        await Until(() => !Alive(old), $"the old child {old} exiting");
        Assert.Equal(["ok"], _live.AuditResults());
    }

    [Fact]
    public async Task A_second_crossing_within_the_cooldown_does_nothing()
    {
        var runner = Runner(maxRuns: 3);
        await Deliver(runner, await CrossingAsync());
        var restarted = CurrentPid;

        _clock.Advance(TimeSpan.FromMinutes(4));
        var result = await Deliver(runner, await CrossingAsync());

        Assert.True(result.Success, result.Error);
        Assert.Equal(1, RestartCount);
        Assert.Equal(restarted, CurrentPid);
        Assert.Equal(["ok", "skipped_cooldown"], _live.AuditResults());
    }

    [Fact]
    public async Task After_max_runs_the_loop_guard_stops_restarting_and_raises_its_alert()
    {
        var runner = Runner(maxRuns: 2);
        await Deliver(runner, await CrossingAsync());
        _clock.Advance(TimeSpan.FromMinutes(6));
        await Deliver(runner, await CrossingAsync());
        _clock.Advance(TimeSpan.FromMinutes(6));
        var beforeGuard = CurrentPid;

        await Deliver(runner, await CrossingAsync());

        Assert.Equal(2, RestartCount);
        Assert.Equal(beforeGuard, CurrentPid);
        Assert.Equal(["ok", "ok", "suspended"], _live.AuditResults());
        var own = Assert.Single(runner.OwnAlerts());
        Assert.Equal((ActionRunner.LoopGuardAlertName, "restart-leaker", AlertSnapshot.Firing), (own.Labels.Get("alertname"), own.Labels.Get("action"), own.Status));
    }

    public async Task DisposeAsync()
    {
        KillFromPidFile(PidFile);

        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        _live.Dispose();
    }
}
