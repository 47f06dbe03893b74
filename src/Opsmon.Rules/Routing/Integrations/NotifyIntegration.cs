using System.Diagnostics;
using System.Text;

namespace Opsmon.Rules.Routing.Integrations;

/// <summary>
/// <c>notify_configs</c>: a desktop notification through <c>notify-send</c> (libnotify), where a session bus exists
/// (DBUS_SESSION_BUS_ADDRESS is set). Without one every delivery fails with the reason, which the dispatcher logs once.
/// </summary>
public sealed class NotifyIntegration(NotifyReceiverConfig config, Func<string, string?> environment) : IReceiverIntegration
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private const int MaxBodyAlerts = 5;

    public NotifyIntegration(NotifyReceiverConfig config)
        : this(config, Environment.GetEnvironmentVariable)
    {
    }

    public string Name => "notify";

    public bool SendResolved => config.SendResolved;

    /// <summary>notify-send's arguments for <paramref name="notification"/>: app name, urgency from the severity label, summary, body.</summary>
    public static IReadOnlyList<string> Arguments(Notification notification)
    {
        var firing = notification.Alerts.Where(a => a.IsFiring).ToList();
        var name = notification.GroupLabels.Get("alertname") is { Length: > 0 } grouped
            ? grouped
            : string.Join(", ", notification.Alerts.Select(a => a.Labels.Get("alertname")).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal));
        var summary = firing.Count > 0 ? $"[FIRING:{firing.Count}] {name}" : $"[RESOLVED] {name}";
        var severities = firing.Select(a => a.Labels.Get("severity")).ToList();
        var urgency = firing.Count == 0 ? "low" : severities.Any(s => s is "critical" or "page") ? "critical" : "normal";
        var body = new StringBuilder();
        foreach (var alert in notification.Alerts.Take(MaxBodyAlerts))
        {
            if (body.Length > 0)
            {
                body.Append('\n');
            }

            var text = alert.Annotations.TryGetValue("summary", out var s) ? s
                : alert.Annotations.TryGetValue("description", out var d) ? d
                : alert.Labels.ToString();
            body.Append(alert.IsFiring ? "● " : "✓ ").Append(text);
        }

        if (notification.Alerts.Count > MaxBodyAlerts)
        {
            body.Append('\n').Append("… and ").Append(notification.Alerts.Count - MaxBodyAlerts).Append(" more");
        }

        return ["--app-name=Opsmon", $"--urgency={urgency}", "--", summary, body.ToString()];
    }

    public async Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        var bus = environment("DBUS_SESSION_BUS_ADDRESS");
        if (string.IsNullOrEmpty(bus))
        {
            return DeliveryResult.Failed("no desktop session bus (DBUS_SESSION_BUS_ADDRESS is not set); desktop notifications are unavailable");
        }

        var info = new ProcessStartInfo("notify-send")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["DBUS_SESSION_BUS_ADDRESS"] = bus;
        foreach (var argument in Arguments(notification))
        {
            info.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("notify-send did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return DeliveryResult.Failed($"notify-send: {e.Message} (install libnotify-bin)");
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return DeliveryResult.Failed($"notify-send did not finish within {Timeout.TotalSeconds:0}s");
            }

            var error = await stderr.ConfigureAwait(false);
            return process.ExitCode == 0 ? DeliveryResult.Ok : DeliveryResult.Failed($"notify-send exited with {process.ExitCode}: {error.Trim()}");
        }
    }
}
