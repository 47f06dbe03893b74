using Opsmon.Core.Series;

namespace Opsmon.Rules.Alerting;

/// <summary>An alert's state as Prometheus names it; "resolved" is <see cref="Inactive"/> with a ResolvedAt time.</summary>
public enum AlertState
{
    Inactive,
    Pending,
    Firing,
}

/// <summary>One alert of an alerting rule, identified by its label set (rule labels and alertname included).</summary>
public sealed class Alert
{
    internal Alert(Labels labels, IReadOnlyDictionary<string, string> annotations, DateTimeOffset activeAt, double value)
    {
        Labels = labels;
        Annotations = annotations;
        ActiveAt = activeAt;
        Value = value;
        State = AlertState.Pending;
    }

    public Labels Labels { get; }

    public IReadOnlyDictionary<string, string> Annotations { get; internal set; }

    public AlertState State { get; internal set; }

    /// <summary>When the alert became pending; restored from ALERTS_FOR_STATE after a restart.</summary>
    public DateTimeOffset ActiveAt { get; internal set; }

    public DateTimeOffset? FiredAt { get; internal set; }

    public DateTimeOffset? ResolvedAt { get; internal set; }

    /// <summary>When the condition stopped holding while keep_firing_for keeps the alert firing.</summary>
    public DateTimeOffset? KeepFiringSince { get; internal set; }

    /// <summary>The expression's value at the last evaluation that returned this alert.</summary>
    public double Value { get; internal set; }

    public static string StateName(AlertState state) => state switch
    {
        AlertState.Pending => "pending",
        AlertState.Firing => "firing",
        _ => "inactive",
    };
}
