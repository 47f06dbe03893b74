using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.Ast;
using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Templating;

namespace Opsmon.Rules.Alerting;

/// <summary>
/// An alerting rule with Prometheus's state machine (rules/alerting.go): a new result is pending, firing once it has
/// held for <c>for</c>, kept firing for <c>keep_firing_for</c> after the condition stops, then resolved (inactive with
/// ResolvedAt) and kept for the resolved retention so that notifiers see the resolution.
/// </summary>
public sealed class AlertingRule : Rule
{
    public const string AlertsMetric = "ALERTS";
    public const string AlertsForStateMetric = "ALERTS_FOR_STATE";
    public const string AlertNameLabel = "alertname";
    public const string AlertStateLabel = "alertstate";

    private readonly Dictionary<Labels, Alert> _active = [];

    internal AlertingRule(RuleDefinition definition, Expr expr)
        : base(definition, expr)
    {
    }

    public TimeSpan HoldDuration => Definition.For;

    public TimeSpan KeepFiringFor => Definition.KeepFiringFor;

    /// <summary>Set on the rules loaded at start: their first evaluation restores ActiveAt from ALERTS_FOR_STATE.</summary>
    internal bool RestorePending { get; set; }

    /// <summary>Alerts in the pending or firing state, ordered by labels.</summary>
    public IReadOnlyList<Alert> ActiveAlerts() =>
        [.. _active.Values.Where(a => a.State != AlertState.Inactive).OrderBy(a => a.Labels)];

    /// <summary>Every alert held, including resolved ones still within the retention.</summary>
    public IReadOnlyList<Alert> AllAlerts() => [.. _active.Values.OrderBy(a => a.Labels)];

    /// <summary>The worst state of the rule's alerts, as /api/v1/rules reports it.</summary>
    public AlertState State => _active.Values.Select(a => a.State).DefaultIfEmpty(AlertState.Inactive).Max();

    /// <summary>Takes over the alerts of the rule this one replaces on reload.</summary>
    internal void CopyStateFrom(AlertingRule previous)
    {
        foreach (var (labels, alert) in previous._active)
        {
            _active[labels] = alert;
        }
    }

    private protected override IReadOnlyList<Sample> Eval(DateTimeOffset ts, RuleContext context, int limit, out string? error)
    {
        var result = RunQuery(ts, context, out error);
        if (result is null)
        {
            return [];
        }

        var current = new Dictionary<Labels, Alert>();
        foreach (var sample in result)
        {
            var data = new TemplateData(ToMap(sample.Metric), context.ExternalLabels, context.ExternalUrl, sample.V);
            var templateName = "__alert_" + Name;
            var labels = sample.Metric.WithoutName();
            foreach (var (name, value) in Definition.Labels)
            {
                var expanded = GoTemplate.Expand(templateName, value, data);
                labels = expanded.Length == 0 ? labels.Without(name) : labels.With(name, expanded);
            }

            labels = labels.With(AlertNameLabel, Name);
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in Definition.Annotations)
            {
                annotations[name] = GoTemplate.Expand(templateName, value, data);
            }

            if (current.ContainsKey(labels))
            {
                error = "vector contains metrics with the same labelset after applying alert labels";
                return [];
            }

            current[labels] = new Alert(labels, annotations, ts, sample.V);
        }

        foreach (var (labels, alert) in current)
        {
            if (_active.TryGetValue(labels, out var existing) && existing.State != AlertState.Inactive)
            {
                existing.Value = alert.Value;
                existing.Annotations = alert.Annotations;
                continue;
            }

            _active[labels] = alert;
        }

        if (RestorePending)
        {
            RestorePending = false;
            RestoreForState(ts, context);
        }

        var output = new List<Sample>();
        var ms = ts.ToUnixTimeMilliseconds();
        var activeCount = 0;
        foreach (var (labels, alert) in _active.ToList())
        {
            if (!current.ContainsKey(labels))
            {
                var keepFiring = false;
                if (alert.State == AlertState.Firing && KeepFiringFor > TimeSpan.Zero)
                {
                    alert.KeepFiringSince ??= ts;
                    keepFiring = ts - alert.KeepFiringSince.Value < KeepFiringFor;
                }

                // A pending alert that stops is forgotten; a resolved one is kept for the retention so it is reported as resolved.
                if (alert.State == AlertState.Pending || (alert.ResolvedAt is { } resolved && ts - resolved > context.ResolvedRetention))
                {
                    _active.Remove(labels);
                }

                if (alert.State != AlertState.Inactive && !keepFiring)
                {
                    alert.State = AlertState.Inactive;
                    alert.ResolvedAt = ts;
                }

                if (!keepFiring)
                {
                    continue;
                }
            }
            else
            {
                alert.KeepFiringSince = null;
            }

            activeCount++;
            if (alert.State == AlertState.Pending && ts - alert.ActiveAt >= HoldDuration)
            {
                alert.State = AlertState.Firing;
                alert.FiredAt = ts;
            }

            output.Add(new Sample(labels.With(Labels.MetricName, AlertsMetric).With(AlertStateLabel, Alert.StateName(alert.State)), ms, 1));
            output.Add(new Sample(labels.With(Labels.MetricName, AlertsForStateMetric), ms, alert.ActiveAt.ToUnixTimeSeconds()));
        }

        if (limit > 0 && activeCount > limit)
        {
            _active.Clear();
            error = string.Create(CultureInfo.InvariantCulture, $"exceeded limit of {limit} with {activeCount} alerts");
            return [];
        }

        return output;
    }

    /// <summary>
    /// Prometheus's Group.RestoreForState (rules/group.go), done before the first evaluation after start writes
    /// anything: each pending alert looks up its ALERTS_FOR_STATE series within the outage tolerance; the last sample's
    /// time is when the old process went down and its value the old ActiveAt. Time spent down does not count as pending,
    /// and an alert with less than the grace period left waits the grace period. Rules whose <c>for</c> is shorter than
    /// the grace period are not restored (they would wait longer restored than starting afresh), nor are alerts whose
    /// series ended with a staleness marker.
    /// </summary>
    private void RestoreForState(DateTimeOffset ts, RuleContext context)
    {
        if (context.Querier is not { } querier || HoldDuration < context.ForGracePeriod)
        {
            return;
        }

        var maxt = ts.ToUnixTimeMilliseconds();
        var mint = (ts - context.OutageTolerance).ToUnixTimeMilliseconds();
        foreach (var alert in _active.Values.Where(a => a.State == AlertState.Pending))
        {
            var stateLabels = alert.Labels.With(Labels.MetricName, AlertsForStateMetric);
            var matchers = stateLabels.AsSpan().ToArray().Select(l => new LabelMatcher(MatcherType.Equal, l.Name, l.Value)).ToList();
            var series = querier.Select(mint, maxt, matchers).FirstOrDefault(s => s.Labels.Equals(stateLabels));
            if (series is null)
            {
                continue;
            }

            long? lastTime = null;
            var lastValue = double.NaN;
            var it = series.Samples();
            while (it.MoveNext())
            {
                (lastTime, lastValue) = (it.Timestamp, it.Value);
            }

            if (lastTime is not { } downMs || StaleNaN.Is(lastValue) || double.IsNaN(lastValue))
            {
                continue;
            }

            var downAt = DateTimeOffset.FromUnixTimeSeconds(downMs / 1000);
            var activeAt = DateTimeOffset.FromUnixTimeSeconds((long)lastValue);
            var remaining = HoldDuration - (downAt - activeAt);
            if (remaining <= TimeSpan.Zero)
            {
                // It was firing when the old process stopped; this evaluation fires it again.
            }
            else if (remaining < context.ForGracePeriod)
            {
                activeAt = ts + context.ForGracePeriod - HoldDuration;
            }
            else
            {
                activeAt += ts - downAt;
            }

            alert.ActiveAt = activeAt;
        }
    }

    private static Dictionary<string, string> ToMap(Labels labels)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels.AsSpan())
        {
            map[label.Name] = label.Value;
        }

        return map;
    }
}
