using Opsmon.Core.Series;
using Opsmon.Query.PromqlTest;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Alerting;

/// <summary>
/// After a restart, the first evaluation restores pending alerts' ActiveAt from ALERTS_FOR_STATE in the store, as
/// Prometheus does (for_grace_period 10m, outage_tolerance 1h): the outage does not count as pending time.
/// </summary>
public sealed class AlertRestoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("opsmon-restore-").FullName;
    private readonly MemoryStorage _storage = new();
    private readonly ManualTime _time = new(DateTimeOffset.UnixEpoch.AddDays(1));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Rules(string @for)
    {
        var path = Path.Combine(_dir, "down.yml");
        File.WriteAllText(path, $"""
            groups:
              - name: availability
                interval: 1m
                rules:
                  - alert: Down
                    expr: up == 0
                    for: {@for}
            """);
        return path;
    }

    /// <summary>A fresh manager over the same store, as after a restart; its groups wait for their first slot.</summary>
    private RuleManager Start(string rules)
    {
        var manager = new RuleManager(_storage, _storage, _time, new RuleManagerOptions());
        Assert.True(manager.Reload([rules]).Success);
        _time.Advance(manager.Groups[0].NextEvaluation - _time.GetUtcNow());
        return manager;
    }

    /// <summary>up is 0 (the target is down) at the current time; then the manager evaluates.</summary>
    private void Evaluate(RuleManager manager)
    {
        _storage.Append(Labels.From(("__name__", "up"), ("job", "api")), _time.GetUtcNow().ToUnixTimeMilliseconds(), 0);
        Assert.Equal(1, manager.EvaluateDue());
    }

    /// <summary>Evaluates once a minute for <paramref name="minutes"/> minutes after the current evaluation.</summary>
    private void EvaluateFor(RuleManager manager, int minutes)
    {
        Evaluate(manager);
        for (var i = 0; i < minutes; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            Evaluate(manager);
        }
    }

    private static Alert Single(RuleManager manager) => Assert.Single(manager.ActiveAlerts());

    [Fact]
    public void Pending_alert_keeps_its_pending_time_across_a_restart_and_fires_on_time()
    {
        var rules = Rules("30m");
        var before = Start(rules);
        EvaluateFor(before, 20);
        var activeAt = Single(before).ActiveAt;

        // The process stops; the restarted one evaluates at the group's next slot, two minutes after the last one.
        _time.Advance(TimeSpan.FromMinutes(1));
        var after = Start(rules);
        Evaluate(after);

        Assert.Equal((AlertState.Pending, activeAt + TimeSpan.FromMinutes(2)), (Single(after).State, Single(after).ActiveAt));
        _time.Advance(TimeSpan.FromMinutes(9));
        Evaluate(after);
        Assert.Equal(AlertState.Pending, Single(after).State);
        _time.Advance(TimeSpan.FromMinutes(1));
        Evaluate(after);
        Assert.Equal(AlertState.Firing, Single(after).State);
    }

    [Fact]
    public void Restored_state_is_written_back_to_alerts_for_state()
    {
        var rules = Rules("30m");
        var before = Start(rules);
        EvaluateFor(before, 20);
        _time.Advance(TimeSpan.FromMinutes(1));
        var after = Start(rules);
        Evaluate(after);

        var state = _storage.Select(0, long.MaxValue, [new(MatcherType.Equal, "__name__", AlertingRule.AlertsForStateMetric)]).Single();
        var it = state.Samples();
        var last = double.NaN;
        while (it.MoveNext())
        {
            last = it.Value;
        }

        Assert.Equal(Single(after).ActiveAt.ToUnixTimeSeconds(), last);
    }

    [Fact]
    public void Alert_with_less_than_the_grace_period_left_fires_after_the_grace_period()
    {
        var rules = Rules("30m");
        var before = Start(rules);
        EvaluateFor(before, 25);

        _time.Advance(TimeSpan.FromMinutes(1));
        var after = Start(rules);
        Evaluate(after);
        var restartedAt = _time.GetUtcNow();

        Assert.Equal(restartedAt + TimeSpan.FromMinutes(10) - TimeSpan.FromMinutes(30), Single(after).ActiveAt);
    }

    [Fact]
    public void Alert_that_was_firing_fires_at_the_first_evaluation_after_a_restart()
    {
        var rules = Rules("15m");
        var before = Start(rules);
        EvaluateFor(before, 20);
        Assert.Equal(AlertState.Firing, Single(before).State);

        _time.Advance(TimeSpan.FromMinutes(1));
        var after = Start(rules);
        Evaluate(after);

        Assert.Equal(AlertState.Firing, Single(after).State);
    }

    [Fact]
    public void State_older_than_the_outage_tolerance_is_not_restored()
    {
        var rules = Rules("30m");
        var before = Start(rules);
        EvaluateFor(before, 20);

        _time.Advance(TimeSpan.FromHours(2));
        var after = Start(rules);
        Evaluate(after);

        Assert.Equal(_time.GetUtcNow(), Single(after).ActiveAt);
    }

    [Fact]
    public void Rule_whose_for_is_shorter_than_the_grace_period_starts_afresh()
    {
        var rules = Rules("5m");
        var before = Start(rules);
        EvaluateFor(before, 3);

        _time.Advance(TimeSpan.FromMinutes(1));
        var after = Start(rules);
        Evaluate(after);

        Assert.Equal(_time.GetUtcNow(), Single(after).ActiveAt);
    }

    [Fact]
    public void Groups_loaded_by_a_later_reload_do_not_restore()
    {
        var rules = Rules("30m");
        var before = Start(rules);
        EvaluateFor(before, 20);

        _time.Advance(TimeSpan.FromMinutes(1));
        var other = Path.Combine(_dir, "other.yml");
        File.WriteAllText(other, "groups:\n  - name: other\n    rules:\n      - record: x\n        expr: vector(1)\n");
        var after = new RuleManager(_storage, _storage, _time, new RuleManagerOptions());
        Assert.True(after.Reload([other]).Success);
        Assert.True(after.Reload([other, rules]).Success);
        var group = after.Groups.Single(g => g.Name == "availability");
        _time.Advance(group.NextEvaluation - _time.GetUtcNow());
        _storage.Append(Labels.From(("__name__", "up"), ("job", "api")), _time.GetUtcNow().ToUnixTimeMilliseconds(), 0);
        after.EvaluateDue();

        Assert.Equal(_time.GetUtcNow(), Single(after).ActiveAt);
    }
}
