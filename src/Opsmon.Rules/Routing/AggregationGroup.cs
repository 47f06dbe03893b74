using Opsmon.Core.Series;

namespace Opsmon.Rules.Routing;

/// <summary>
/// The alerts of one route that share the route's group labels, and what each of the receiver's integrations was last
/// sent (Alertmanager's notification log, kept in memory). Not thread-safe: the dispatcher holds its lock around it.
/// </summary>
/// <remarks>
/// Timing follows Alertmanager (https://prometheus.io/docs/alerting/latest/configuration/#route): the first flush
/// comes group_wait after the group is created, later ones every group_interval; a flush notifies an integration
/// only when it has news (a new firing alert, all alerts resolved, or a new resolved alert for an integration that
/// sends resolved notices) or when repeat_interval has passed since it was last notified while alerts still fire.
/// Resolved alerts are dropped once every integration has been told, so a resolved notice is never repeated
/// (Alertmanager issue #2474).
/// </remarks>
public sealed class AggregationGroup
{
    private readonly Dictionary<string, Entry> _alerts = new(StringComparer.Ordinal);
    private readonly SentState?[] _sent;

    public AggregationGroup(Route route, Labels groupLabels, IReadOnlyList<IReceiverIntegration> integrations, DateTimeOffset created)
    {
        Route = route;
        GroupLabels = groupLabels;
        Integrations = integrations;
        Key = $"{route.Key}:{groupLabels}";
        NextFlush = created + route.Config.GroupWait;
        _sent = new SentState?[integrations.Count];
    }

    public Route Route { get; }

    public Labels GroupLabels { get; }

    /// <summary>Alertmanager's group key: the route's key and the group labels, e.g. <c>{}/{severity="critical"}/0:{alertname="X"}</c>.</summary>
    public string Key { get; }

    public IReadOnlyList<IReceiverIntegration> Integrations { get; }

    public DateTimeOffset NextFlush { get; private set; }

    public bool IsEmpty => _alerts.Count == 0;

    /// <summary>
    /// Adds or updates an alert. A firing alert is trusted until <paramref name="validUntil"/>; one that is not
    /// refreshed by then is resolved with that time as its end (a rule removed by a reload, or evaluation stopped).
    /// </summary>
    public void Insert(AlertSnapshot alert, DateTimeOffset validUntil) =>
        _alerts[alert.Fingerprint] = new Entry(alert, validUntil);

    /// <summary>Whether the group holds <paramref name="fingerprint"/> as an alert that started at <paramref name="startsAt"/>.</summary>
    public bool Holds(string fingerprint, DateTimeOffset startsAt) =>
        _alerts.TryGetValue(fingerprint, out var e) && e.Alert.StartsAt == startsAt;

    /// <summary>
    /// What this flush sends: one notification per integration that has news, or none. Moves <see cref="NextFlush"/>
    /// on by group_interval. Hand the deliveries' outcomes back to <see cref="Complete"/>.
    /// </summary>
    public FlushPlan Plan(DateTimeOffset now, string receiver)
    {
        NextFlush = now + Route.Config.GroupInterval;
        var alerts = _alerts.Values.Select(e => Effective(e, now)).OrderBy(a => a.Labels).ToList();
        var firing = alerts.Where(a => a.IsFiring).Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var resolved = alerts.Where(a => !a.IsFiring).Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var deliveries = new List<(int Index, Notification? Notification)>();
        for (var i = 0; i < Integrations.Count; i++)
        {
            var integration = Integrations[i];
            if (!NeedsUpdate(_sent[i], firing, resolved, integration.SendResolved, now))
            {
                continue;
            }

            var toSend = integration.SendResolved ? alerts : [.. alerts.Where(a => a.IsFiring)];
            deliveries.Add((i, toSend.Count == 0 ? null : new Notification(receiver, Key, GroupLabels, toSend)));
        }

        return new FlushPlan(this, alerts, firing, resolved, deliveries);
    }

    /// <summary>
    /// Records which integrations were notified; when all that needed to be were, resolved alerts that have not
    /// changed since the plan are dropped. Returns the fingerprints and start times of the dropped alerts.
    /// </summary>
    public IReadOnlyList<AlertSnapshot> Complete(FlushPlan plan, IReadOnlyList<bool> succeeded, DateTimeOffset now)
    {
        var allOk = true;
        for (var d = 0; d < plan.Deliveries.Count; d++)
        {
            if (succeeded[d])
            {
                _sent[plan.Deliveries[d].Index] = new SentState(plan.Firing, plan.Resolved, now);
            }
            else
            {
                allOk = false;
            }
        }

        if (!allOk)
        {
            return [];
        }

        var dropped = new List<AlertSnapshot>();
        foreach (var alert in plan.Alerts.Where(a => !a.IsFiring))
        {
            // Only if no newer snapshot (a re-fire) arrived while the notifications were on their way.
            if (_alerts.TryGetValue(alert.Fingerprint, out var current) && current.Alert.StartsAt == alert.StartsAt && !Effective(current, now).IsFiring)
            {
                _alerts.Remove(alert.Fingerprint);
                dropped.Add(alert);
            }
        }

        return dropped;
    }

    private static AlertSnapshot Effective(Entry entry, DateTimeOffset now) =>
        entry.Alert.IsFiring && entry.ValidUntil < now
            ? entry.Alert with { Status = AlertSnapshot.Resolved, EndsAt = entry.ValidUntil }
            : entry.Alert;

    private static bool NeedsUpdate(SentState? sent, HashSet<string> firing, HashSet<string> resolved, bool sendResolved, DateTimeOffset now, TimeSpan repeat)
    {
        if (sent is null)
        {
            return firing.Count > 0 || (sendResolved && resolved.Count > 0);
        }

        if (!firing.IsSubsetOf(sent.Firing))
        {
            return true;
        }

        if (sent.Firing.Count > 0 && firing.Count == 0)
        {
            return true;
        }

        if (sendResolved && !resolved.IsSubsetOf(sent.Resolved))
        {
            return true;
        }

        // Only firing groups repeat: a group with nothing but resolved alerts was told once and is done.
        return firing.Count > 0 && now - sent.At >= repeat;
    }

    private bool NeedsUpdate(SentState? sent, HashSet<string> firing, HashSet<string> resolved, bool sendResolved, DateTimeOffset now) =>
        NeedsUpdate(sent, firing, resolved, sendResolved, now, Route.Config.RepeatInterval);

    private sealed record Entry(AlertSnapshot Alert, DateTimeOffset ValidUntil);

    private sealed record SentState(HashSet<string> Firing, HashSet<string> Resolved, DateTimeOffset At);
}

/// <summary>One flush of a group: the alerts as they were, and the notification (or null: nothing left to send) per integration index.</summary>
public sealed record FlushPlan(
    AggregationGroup Group,
    IReadOnlyList<AlertSnapshot> Alerts,
    HashSet<string> Firing,
    HashSet<string> Resolved,
    IReadOnlyList<(int Index, Notification? Notification)> Deliveries);
