using Opsmon.Core.Series;
using Opsmon.Rules.Routing;
using Opsmon.Rules.Routing.Integrations;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>
/// The notify receiver runs the real notify-send against a private session bus on which the test is the desktop's
/// notification server: what reaches org.freedesktop.Notifications.Notify is what a user would see.
/// </summary>
public sealed class NotifyReceiverTests
{
    // The freedesktop notification spec's urgency hint: 0 low, 1 normal, 2 critical.
    private const byte Low = 0;
    private const byte Critical = 2;

    private static readonly DateTimeOffset StartsAt = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_firing_alert_reaches_the_notification_server_as_a_critical_notification()
    {
        Tools.Require("notify-send");
        await using var server = await NotificationServer.StartAsync();
        var notify = new NotifyIntegration(new NotifyReceiverConfig(), Bus(server));

        var result = await notify.DeliverAsync(Group(Alert(AlertSnapshot.Firing)), CancellationToken.None);

        Assert.True(result.Success, result.Error);
        var call = Assert.Single(server.Calls);
        Assert.Equal(new NotifyCall("Opsmon", "[FIRING:1] DiskFull", "● disk / is 97% full", Critical), call);
    }

    [Fact]
    public async Task A_resolved_alert_reaches_the_notification_server_as_a_low_urgency_notification()
    {
        Tools.Require("notify-send");
        await using var server = await NotificationServer.StartAsync();
        var notify = new NotifyIntegration(new NotifyReceiverConfig(), Bus(server));

        var result = await notify.DeliverAsync(Group(Alert(AlertSnapshot.Resolved) with { EndsAt = StartsAt.AddMinutes(5) }), CancellationToken.None);

        Assert.True(result.Success, result.Error);
        var call = Assert.Single(server.Calls);
        Assert.Equal(new NotifyCall("Opsmon", "[RESOLVED] DiskFull", "✓ disk / is 97% full", Low), call);
    }

    [Fact]
    public async Task Opsmon_run_shows_the_firing_and_then_the_resolved_notification_on_the_desktop()
    {
        Tools.Require("notify-send");
        await using var server = await NotificationServer.StartAsync();
        await using var alert = new AlertFixture("RoutingNotifyTest");
        var config = await alert.WriteConfigAsync("""
            route:
              receiver: desktop
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: desktop
                notify_configs:
                  - send_resolved: true
            """);
        var port = RunningProcess.FreePort();
        await using var agent = RunningProcess.StartOpsmon(
            new Dictionary<string, string> { ["DBUS_SESSION_BUS_ADDRESS"] = server.Address },
            "run", "--listen", $"127.0.0.1:{port}", "--data", alert.DataDirectory, "--interval", "1s", "--config", config);
        await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");

        alert.Fire();
        var firing = await server.WaitForAsync(c => c.Summary.StartsWith("[FIRING", StringComparison.Ordinal), TimeSpan.FromSeconds(20), () => agent.Output);
        await alert.ResolveAsync();
        var resolved = await server.WaitForAsync(c => c.Summary.StartsWith("[RESOLVED", StringComparison.Ordinal), TimeSpan.FromSeconds(20), () => agent.Output);

        Assert.Equal("Opsmon", firing.AppName);
        Assert.Equal("[FIRING:1] RoutingNotifyTest", firing.Summary);
        Assert.StartsWith("● marker process is running", firing.Body, StringComparison.Ordinal);
        Assert.Equal(Critical, firing.Urgency);
        Assert.Equal("Opsmon", resolved.AppName);
        Assert.Equal("[RESOLVED] RoutingNotifyTest", resolved.Summary);
        Assert.StartsWith("✓ marker process is running", resolved.Body, StringComparison.Ordinal);
        Assert.Equal(Low, resolved.Urgency);
    }

    private static Func<string, string?> Bus(NotificationServer server) =>
        name => name == "DBUS_SESSION_BUS_ADDRESS" ? server.Address : null;

    private static AlertSnapshot Alert(string status) =>
        new(Labels.From([("alertname", "DiskFull"), ("severity", "critical"), ("mountpoint", "/")]),
            new Dictionary<string, string> { ["summary"] = "disk / is 97% full" }, status, StartsAt, null, 97, "http://opsmon.test/");

    private static Notification Group(AlertSnapshot alert) =>
        new("desktop", "{}:{alertname=\"DiskFull\"}", Labels.From(("alertname", "DiskFull")), [alert]);
}
