using Opsmon.Core.Series;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Alerting;

public sealed class AlertingRuleTests
{
    private const string HighLoad = """
        groups:
          - name: g
            rules:
              - alert: HighLoad
                expr: load > 1
                for: 2m
                labels:
                  severity: page
                annotations:
                  summary: 'load {{ $value }} on {{ $labels.host }}'
        """;

    private static readonly Labels AlertLabels = Labels.From(("alertname", "HighLoad"), ("host", "a"), ("severity", "page"));

    [Fact]
    public void New_result_is_pending_until_for_has_elapsed()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2x10"));

        h.EvaluateThrough(1);

        var alert = Assert.Single(h.Alerting.ActiveAlerts());
        Assert.Equal(AlertState.Pending, alert.State);
        Assert.Equal(DateTimeOffset.UnixEpoch, alert.ActiveAt);
    }

    [Fact]
    public void Alert_fires_once_it_has_held_for_the_for_duration()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2x10"));

        h.EvaluateThrough(2);

        var alert = Assert.Single(h.Alerting.ActiveAlerts());
        Assert.Equal(AlertState.Firing, alert.State);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMinutes(2), alert.FiredAt);
        Assert.Equal(AlertLabels, alert.Labels);
        Assert.Equal("load 2 on a", alert.Annotations["summary"]);
    }

    [Fact]
    public void Firing_alert_resolves_when_the_condition_stops()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2 2 2 2 0 0"));

        h.EvaluateThrough(4);

        Assert.Empty(h.Alerting.ActiveAlerts());
        var resolved = Assert.Single(h.Alerting.AllAlerts());
        Assert.Equal(AlertState.Inactive, resolved.State);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMinutes(4), resolved.ResolvedAt);
    }

    [Fact]
    public void Pending_alert_that_stops_is_forgotten_and_restarts_with_a_new_active_time()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2 0 2 2 2"));

        h.EvaluateThrough(3);

        var alert = Assert.Single(h.Alerting.AllAlerts());
        Assert.Equal(AlertState.Pending, alert.State);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMinutes(2), alert.ActiveAt);
    }

    [Fact]
    public void Keep_firing_for_holds_a_firing_alert_after_the_condition_stops()
    {
        var yaml = HighLoad.Replace("for: 2m", "for: 1m\n        keep_firing_for: 2m", StringComparison.Ordinal);
        var h = new RuleHarness(yaml, ("load{host=\"a\"}", "2 2 0 0 0 0"));

        h.EvaluateThrough(3);
        var held = Assert.Single(h.Alerting.ActiveAlerts());
        Assert.Equal((AlertState.Firing, DateTimeOffset.UnixEpoch.AddMinutes(2)), (held.State, held.KeepFiringSince));

        h.EvaluateAt(4);
        Assert.Empty(h.Alerting.ActiveAlerts());
    }

    [Fact]
    public void Alerts_series_carries_the_state_and_goes_stale_when_the_alert_ends()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2 2 2 0"));

        h.EvaluateThrough(3);

        var pending = AlertLabels.With("__name__", "ALERTS").With("alertstate", "pending");
        var firing = AlertLabels.With("__name__", "ALERTS").With("alertstate", "firing");
        Assert.Equal([(0L, 1.0), (1L, 1.0)], h.Samples(pending).Take(2));
        Assert.True(StaleNaN.Is(h.Samples(pending)[2].Value));
        Assert.Equal((2L, 1.0), h.Samples(firing)[0]);
        Assert.True(StaleNaN.Is(h.Samples(firing)[1].Value));
    }

    [Fact]
    public void Alerts_for_state_series_holds_the_active_time_in_seconds()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "0 2 2"));

        h.EvaluateThrough(2);

        Assert.Equal([(1L, 60.0), (2L, 60.0)], h.Samples(AlertLabels.With("__name__", "ALERTS_FOR_STATE")));
    }

    [Fact]
    public void Each_result_series_is_its_own_alert()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2x3"), ("load{host=\"b\"}", "3x3"), ("load{host=\"c\"}", "0x3"));

        h.EvaluateAt(0);

        Assert.Equal(["a", "b"], h.Alerting.ActiveAlerts().Select(a => a.Labels.Get("host")));
    }

    [Fact]
    public void Value_and_annotations_follow_the_latest_evaluation()
    {
        var h = new RuleHarness(HighLoad, ("load{host=\"a\"}", "2 5"));

        h.EvaluateThrough(1);

        var alert = Assert.Single(h.Alerting.ActiveAlerts());
        Assert.Equal((5.0, "load 5 on a"), (alert.Value, alert.Annotations["summary"]));
    }

    [Fact]
    public void Query_error_marks_the_rule_unhealthy()
    {
        var yaml = HighLoad.Replace("expr: load > 1", "expr: 'label_replace(load, \"x\", \"y\", \"host\", \"(\")'", StringComparison.Ordinal);
        var h = new RuleHarness(yaml, ("load{host=\"a\"}", "2"));

        h.EvaluateAt(0);

        Assert.Equal(RuleHealth.Err, h.Alerting.Health);
        Assert.NotNull(h.Alerting.LastError);
    }
}
