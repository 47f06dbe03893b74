using Opsmon.Core.Metrics;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using Opsmon.Rules.Routing;
using static Opsmon.Rules.Tests.Actions.ActionFixtures;

namespace Opsmon.Rules.Tests.Actions;

/// <summary>What every action shares, shown with script actions that touch a file: match, cooldown, loop guard, dry run, timeout, audit.</summary>
public sealed class ActionRunnerTests : IDisposable
{
    private readonly ActionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    private string Marker => Path.Combine(_f.Dir, "ran");

    /// <summary>A script that appends a line to the marker file each time it runs.</summary>
    private ActionSpec Touch(string name = "touch") =>
        Spec(name, new ScriptSettings(["/bin/sh", "-c", $"echo run >> {Marker}; echo touched"], 4096)) with
        {
            Cooldown = TimeSpan.FromMinutes(5),
            MaxRuns = 2,
            Window = TimeSpan.FromHours(1),
        };

    private int Runs => File.Exists(Marker) ? File.ReadAllLines(Marker).Length : 0;

    private static async Task<IReadOnlyList<AuditRecord>> Deliver(ActionRunner runner, string action, AlertSnapshot alert) =>
        await runner.RunAsync(action, alert, Notify(alert), CancellationToken.None);

    [Fact]
    public async Task A_firing_alert_that_satisfies_match_runs_the_action_and_records_ok()
    {
        var runner = _f.Runner(null, Touch());

        var records = await Deliver(runner, "touch", Alert("HighMemory"));

        Assert.Equal(1, Runs);
        var record = Assert.Single(records);
        Assert.Equal((AuditResult.Ok, "touched"), (record.Result, record.Output));
    }

    [Fact]
    public async Task Each_decision_is_a_json_line_in_the_audit_log()
    {
        var runner = _f.Runner(null, Touch());

        await Deliver(runner, "touch", Alert("HighMemory", ("instance", "web1")));
        await Deliver(runner, "touch", Alert("HighMemory", ("instance", "web1")));

        var lines = _f.AuditLines();
        Assert.Equal(2, lines.Count);
        Assert.Equal("2026-11-25T12:00:00.000Z", lines[0].GetProperty("time").GetString());
        Assert.Equal("HighMemory", lines[0].GetProperty("alertname").GetString());
        Assert.Equal("web1", lines[0].GetProperty("labels").GetProperty("instance").GetString());
        Assert.Equal("touch", lines[0].GetProperty("action").GetString());
        Assert.Equal("script", lines[0].GetProperty("type").GetString());
        Assert.StartsWith("HighMemory {", lines[0].GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.False(lines[0].GetProperty("dry_run").GetBoolean());
        Assert.Equal(["ok", "skipped_cooldown"], lines.Select(l => l.GetProperty("result").GetString()));
        Assert.Equal("touched", lines[0].GetProperty("output").GetString());
        Assert.Contains("cooldown is 5m", lines[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolved_alert_does_nothing()
    {
        var runner = _f.Runner(null, Touch());

        var records = await Deliver(runner, "touch", Resolved(Alert("HighMemory")));

        Assert.Empty(records);
        Assert.Equal(0, Runs);
    }

    [Fact]
    public async Task An_alert_that_does_not_satisfy_match_is_not_acted_on()
    {
        var runner = _f.Runner(null, Touch());

        var records = await Deliver(runner, "touch", Alert("DiskFull"));

        Assert.Empty(records);
        Assert.Equal(0, Runs);
    }

    [Fact]
    public async Task A_second_alert_within_the_cooldown_is_skipped()
    {
        var runner = _f.Runner(null, Touch());
        await Deliver(runner, "touch", Alert("HighMemory"));

        _f.Time.Advance(TimeSpan.FromMinutes(4));
        var second = Assert.Single(await Deliver(runner, "touch", Alert("HighMemory")));

        Assert.Equal(AuditResult.SkippedCooldown, second.Result);
        Assert.Equal(1, Runs);
    }

    [Fact]
    public async Task After_the_cooldown_the_action_runs_again()
    {
        var runner = _f.Runner(null, Touch());
        await Deliver(runner, "touch", Alert("HighMemory"));

        _f.Time.Advance(TimeSpan.FromMinutes(5));
        var second = Assert.Single(await Deliver(runner, "touch", Alert("HighMemory")));

        Assert.Equal(AuditResult.Ok, second.Result);
        Assert.Equal(2, Runs);
    }

    [Fact]
    public async Task The_cooldown_is_per_target()
    {
        var runner = _f.Runner(null, Touch());

        await Deliver(runner, "touch", Alert("HighMemory", ("instance", "a")));
        var other = Assert.Single(await Deliver(runner, "touch", Alert("HighMemory", ("instance", "b"))));

        Assert.Equal(AuditResult.Ok, other.Result);
        Assert.Equal(2, Runs);
    }

    [Fact]
    public async Task After_max_runs_within_the_window_the_loop_guard_suspends_the_action()
    {
        var runner = _f.Runner(null, Touch());
        await Deliver(runner, "touch", Alert("HighMemory"));
        _f.Time.Advance(TimeSpan.FromMinutes(10));
        await Deliver(runner, "touch", Alert("HighMemory"));
        _f.Time.Advance(TimeSpan.FromMinutes(10));

        var third = Assert.Single(await Deliver(runner, "touch", Alert("HighMemory")));

        Assert.Equal(AuditResult.Suspended, third.Result);
        Assert.Contains("2 runs within 1h (max_runs 2)", third.Error, StringComparison.Ordinal);
        Assert.Equal(2, Runs);
    }

    [Fact]
    public async Task A_tripped_loop_guard_raises_a_firing_OpsmonActionLoopGuard_alert()
    {
        var runner = _f.Runner(null, Touch());
        Assert.Empty(runner.OwnAlerts());
        for (var i = 0; i < 3; i++)
        {
            await Deliver(runner, "touch", Alert("HighMemory"));
            _f.Time.Advance(TimeSpan.FromMinutes(10));
        }

        var alert = Assert.Single(runner.OwnAlerts());

        Assert.True(alert.IsFiring);
        Assert.Equal(ActionRunner.LoopGuardAlertName, alert.Labels.Get("alertname"));
        Assert.Equal("touch", alert.Labels.Get("action"));
        Assert.Equal(Start.AddMinutes(20), alert.StartsAt);
    }

    [Fact]
    public async Task Once_a_window_has_passed_since_the_last_run_the_loop_guard_alert_resolves_and_the_action_acts_again()
    {
        var runner = _f.Runner(null, Touch());
        for (var i = 0; i < 3; i++)
        {
            await Deliver(runner, "touch", Alert("HighMemory"));
            _f.Time.Advance(TimeSpan.FromMinutes(10));
        }

        // The last run was at 12:10; the guard lifts at 13:10.
        _f.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.True(Assert.Single(runner.OwnAlerts()).IsFiring);
        _f.Time.Advance(TimeSpan.FromMinutes(10));

        var alert = Assert.Single(runner.OwnAlerts());
        Assert.Equal(AlertSnapshot.Resolved, alert.Status);
        Assert.Equal(Start.AddMinutes(70), alert.EndsAt);
        Assert.Equal(AuditResult.Ok, Assert.Single(await Deliver(runner, "touch", Alert("HighMemory"))).Result);
        Assert.Equal(3, Runs);
    }

    [Fact]
    public async Task A_resolved_loop_guard_alert_is_dropped_after_fifteen_minutes()
    {
        var runner = _f.Runner(null, Touch());
        for (var i = 0; i < 3; i++)
        {
            await Deliver(runner, "touch", Alert("HighMemory"));
            _f.Time.Advance(TimeSpan.FromMinutes(10));
        }

        _f.Time.Advance(TimeSpan.FromMinutes(50 + 15));

        Assert.Empty(runner.OwnAlerts());
    }

    [Fact]
    public async Task Dry_run_records_what_it_would_do_and_changes_nothing()
    {
        var runner = _f.Runner(null, Touch() with { DryRun = true });

        var record = Assert.Single(await Deliver(runner, "touch", Alert("HighMemory")));

        Assert.Equal(AuditResult.DryRun, record.Result);
        Assert.True(record.DryRun);
        Assert.StartsWith("would run /bin/sh -c", record.Output, StringComparison.Ordinal);
        Assert.Equal(0, Runs);
    }

    [Fact]
    public async Task Dry_runs_count_toward_the_cooldown_so_they_show_what_would_really_happen()
    {
        var runner = _f.Runner(null, Touch() with { DryRun = true });
        await Deliver(runner, "touch", Alert("HighMemory"));

        var second = Assert.Single(await Deliver(runner, "touch", Alert("HighMemory")));

        Assert.Equal(AuditResult.SkippedCooldown, second.Result);
    }

    [Fact]
    public async Task A_run_past_its_timeout_is_stopped_and_fails()
    {
        var slow = Spec("slow", new ScriptSettings(["/bin/sleep", "30"], 4096)) with { Timeout = TimeSpan.FromMilliseconds(300) };
        var runner = _f.Runner(null, slow);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var record = Assert.Single(await Deliver(runner, "slow", Alert("HighMemory")));

        Assert.Equal((AuditResult.Failed, "timed out after 300ms"), (record.Result, record.Error));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_failing_command_is_recorded_with_its_exit_code_and_output()
    {
        var failing = Spec("fail", new ScriptSettings(["/bin/sh", "-c", "echo broken >&2; exit 3"], 4096));
        var runner = _f.Runner(null, failing);

        var record = Assert.Single(await Deliver(runner, "fail", Alert("HighMemory")));

        Assert.Equal((AuditResult.Failed, "/bin/sh exited with 3", "broken"), (record.Result, record.Error, record.Output));
    }

    [Fact]
    public async Task The_runs_counter_counts_each_result_per_action()
    {
        var runner = _f.Runner(null, Touch());
        await Deliver(runner, "touch", Alert("HighMemory"));
        await Deliver(runner, "touch", Alert("HighMemory"));

        var sink = new MetricSink();
        runner.WriteMetrics(sink);

        var runs = sink.Families.Single(f => f.Name == "opsmon_action_runs_total");
        Assert.Equal(MetricType.Counter, runs.Type);
        double Count(string result) => runs.Samples.Single(s => s.LabelValues.SequenceEqual(["touch", result])).Value;
        Assert.Equal((1, 1, 0, 0), (Count("ok"), Count("skipped_cooldown"), Count("failed"), Count("suspended")));
        var suspended = sink.Families.Single(f => f.Name == "opsmon_action_suspended");
        Assert.Equal(0, Assert.Single(suspended.Samples).Value);
    }

    [Fact]
    public async Task The_integration_runs_each_named_action_for_each_firing_alert()
    {
        var runner = _f.Runner(null, Touch("a"), Touch("b"));
        var integration = new ActionIntegration(runner, ["a", "b"]);

        var result = await integration.DeliverAsync(Notify(Alert("HighMemory", ("i", "1")), Resolved(Alert("HighMemory", ("i", "2")))), CancellationToken.None);

        Assert.True(result.Success, result.Error);
        Assert.Equal(2, Runs);
        Assert.Equal(["a", "b"], runner.Recent.Select(r => r.Action));
    }

    [Fact]
    public async Task The_integration_reports_a_failed_run_as_a_failed_delivery()
    {
        var runner = _f.Runner(null, Spec("fail", new ScriptSettings(["/bin/false"], 4096)));
        var integration = new ActionIntegration(runner, ["fail"]);

        var result = await integration.DeliverAsync(Notify(Alert("HighMemory")), CancellationToken.None);

        Assert.False(result.Success);
        Assert.Contains("fail on HighMemory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integration_naming_an_unknown_action_is_a_programming_error()
    {
        var runner = _f.Runner(null, Touch());

        Assert.Throws<ArgumentException>(() => new ActionIntegration(runner, ["nope"]));
    }
}
