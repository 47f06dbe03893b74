using Microsoft.Extensions.Logging;

namespace Opsmon.Rules.Routing.Integrations;

/// <summary><c>log_configs</c>: writes each notification, and each of its alerts, to Opsmon's log.</summary>
public sealed class LogIntegration(LogReceiverConfig config, ILogger logger) : IReceiverIntegration
{
    public string Name => "log";

    public bool SendResolved => config.SendResolved;

    public Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        var firing = notification.Alerts.Count(a => a.IsFiring);
        logger.LogWarning("Alert group {GroupKey} to {Receiver}: {Status} ({Firing} firing, {Resolved} resolved)",
            notification.GroupKey, notification.Receiver, notification.Status, firing, notification.Alerts.Count - firing);
        foreach (var alert in notification.Alerts)
        {
            alert.Annotations.TryGetValue("summary", out var summary);
            logger.LogWarning("  {Status} {Labels} since {StartsAt:O}{Summary}",
                alert.Status, alert.Labels.ToString(), alert.StartsAt, summary is null ? string.Empty : ": " + summary);
        }

        return Task.FromResult(DeliveryResult.Ok);
    }
}
