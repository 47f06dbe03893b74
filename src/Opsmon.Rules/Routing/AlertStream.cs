using Opsmon.Rules.Routing.Integrations;

namespace Opsmon.Rules.Routing;

/// <summary>
/// The alerts one Alertmanager integration of a receiver is fed, sent the way Prometheus sends them rather than on the
/// route's group timing: a new alert or a change of state at once, an unchanged one again every resend_delay while the
/// rule engine still reports it. Not thread-safe: the dispatcher holds its lock around it.
/// </summary>
/// <remarks>
/// Alertmanager groups, waits and repeats by itself; our group_wait and repeat_interval in front of it would only
/// delay alerts, and a repeat_interval (4 h) longer than the alert's endsAt would let Alertmanager resolve an alert
/// that still fires. So a firing alert goes out with endsAt = last evaluation + 4 × max(evaluation interval,
/// resend_delay), as Prometheus does (rules/alerting.go), and is re-sent long before that passes; a resolved one goes
/// out with its real endsAt. See https://prometheus.io/docs/alerting/latest/clients/.
/// </remarks>
public sealed class AlertStream(string receiver, AlertmanagerIntegration integration)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, Entry> _alerts = new(StringComparer.Ordinal);
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private TimeSpan _backoff = FirstRetry;

    public string Receiver => receiver;

    public AlertmanagerIntegration Integration => integration;

    public int Count => _alerts.Count;

    /// <summary>Takes the latest state of an alert, evaluated at <paramref name="now"/> by a group with <paramref name="evaluationInterval"/>.</summary>
    public void Insert(AlertSnapshot alert, DateTimeOffset now, TimeSpan evaluationInterval)
    {
        var validUntil = now + (4 * (evaluationInterval > integration.ResendDelay ? evaluationInterval : integration.ResendDelay));
        if (_alerts.TryGetValue(alert.Fingerprint, out var entry))
        {
            entry.Alert = alert;
            entry.ValidUntil = validUntil;
            entry.LastSeen = now;
        }
        else
        {
            _alerts[alert.Fingerprint] = new Entry { Alert = alert, ValidUntil = validUntil, LastSeen = now };
        }
    }

    /// <summary>The alerts due now as one notification, or null when none is due or a failed send is backing off.</summary>
    public Notification? Plan(DateTimeOffset now)
    {
        foreach (var (fingerprint, entry) in _alerts.ToList())
        {
            // Told it resolved, and the rule engine no longer reports it: forget it.
            if (entry.SentStatus == AlertSnapshot.Resolved && !entry.Alert.IsFiring && entry.ValidUntil < now)
            {
                _alerts.Remove(fingerprint);
            }
        }

        if (now < _retryAt)
        {
            return null;
        }

        var due = new List<AlertSnapshot>();
        foreach (var entry in _alerts.Values)
        {
            var effective = Effective(entry, now);
            var changed = entry.SentAt is null || entry.SentStatus != effective.Status || entry.SentStartsAt != effective.StartsAt;
            var resend = entry.SentAt is { } sent && now - sent >= integration.ResendDelay && entry.LastSeen > sent;
            if (changed || resend)
            {
                due.Add(effective);
            }
        }

        return due.Count == 0 ? null : new Notification(receiver, string.Empty, Core.Series.Labels.Empty, due);
    }

    /// <summary>Records the outcome of sending <paramref name="sent"/>; a failure backs off, doubling up to resend_delay.</summary>
    public void Complete(Notification sent, bool success, DateTimeOffset now)
    {
        if (!success)
        {
            _retryAt = now + _backoff;
            _backoff = _backoff * 2 > integration.ResendDelay ? integration.ResendDelay : _backoff * 2;
            return;
        }

        _retryAt = DateTimeOffset.MinValue;
        _backoff = FirstRetry;
        foreach (var alert in sent.Alerts)
        {
            if (_alerts.TryGetValue(alert.Fingerprint, out var entry))
            {
                entry.SentAt = now;
                entry.SentStatus = alert.Status;
                entry.SentStartsAt = alert.StartsAt;
                if (!alert.IsFiring && entry.Alert.IsFiring && entry.ValidUntil < now)
                {
                    // A stale firing alert sent as resolved: it is over.
                    _alerts.Remove(alert.Fingerprint);
                }
            }
        }
    }

    private static AlertSnapshot Effective(Entry entry, DateTimeOffset now) => entry.Alert.IsFiring
        ? entry.ValidUntil < now
            // Not reported for longer than its validity: the rule is gone; resolve it at the time Alertmanager would.
            ? entry.Alert with { Status = AlertSnapshot.Resolved, EndsAt = entry.ValidUntil }
            : entry.Alert with { EndsAt = entry.ValidUntil }
        : entry.Alert;

    private sealed class Entry
    {
        public required AlertSnapshot Alert { get; set; }

        public DateTimeOffset ValidUntil { get; set; }

        public DateTimeOffset LastSeen { get; set; }

        public DateTimeOffset? SentAt { get; set; }

        public string? SentStatus { get; set; }

        public DateTimeOffset SentStartsAt { get; set; }
    }
}
