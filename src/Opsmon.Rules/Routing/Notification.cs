using Opsmon.Core.Series;

namespace Opsmon.Rules.Routing;

/// <summary>
/// One alert as it leaves the rule engine for routing: an immutable copy, so receivers never see a later
/// evaluation's changes. <see cref="Status"/> is "firing" or "resolved", as in Alertmanager's webhook payload.
/// </summary>
public sealed record AlertSnapshot(
    Labels Labels,
    IReadOnlyDictionary<string, string> Annotations,
    string Status,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    double Value,
    string GeneratorUrl)
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    public bool IsFiring => Status == Firing;

    /// <summary>The alert's identity across evaluations and restarts: a hash of its label set, as Alertmanager's fingerprint.</summary>
    public string Fingerprint => FingerprintOf(Labels);

    /// <summary>FNV-1a 64 over "name\xffvalue\xff" pairs: stable across processes, unlike Labels.GetHashCode.</summary>
    public static string FingerprintOf(Labels labels)
    {
        var hash = 14695981039346656037UL;
        foreach (var label in labels.AsSpan())
        {
            foreach (var c in label.Name)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash = (hash ^ 0xff) * 1099511628211UL;
            foreach (var c in label.Value)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash = (hash ^ 0xff) * 1099511628211UL;
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// What a route hands a receiver: one aggregation group's alerts (firing and resolved), with the labels it was
/// grouped by. Alertmanager's webhook payload is built from exactly this.
/// </summary>
public sealed record Notification(
    string Receiver,
    string GroupKey,
    Labels GroupLabels,
    IReadOnlyList<AlertSnapshot> Alerts)
{
    /// <summary>"firing" when any alert fires, otherwise "resolved".</summary>
    public string Status => Alerts.Any(a => a.IsFiring) ? AlertSnapshot.Firing : AlertSnapshot.Resolved;
}

/// <summary>The outcome of one delivery: success, or the reason it failed (logged and counted by the dispatcher).</summary>
public sealed record DeliveryResult(bool Success, string? Error = null)
{
    public static DeliveryResult Ok { get; } = new(true);

    public static DeliveryResult Failed(string error) => new(false, error);
}

/// <summary>
/// One way a receiver delivers a notification: log, webhook, Alertmanager, desktop notification, or actions.
/// The seam between routing and what it routes to; each kind is one sealed class.
/// </summary>
public interface IReceiverIntegration
{
    /// <summary>The kind, as in opsmon_notifications_total{integration}: "log", "webhook", "alertmanager", "notify", "action".</summary>
    string Name { get; }

    /// <summary>Whether resolved notifications are sent to this integration (webhook send_resolved).</summary>
    bool SendResolved { get; }

    Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken);
}
