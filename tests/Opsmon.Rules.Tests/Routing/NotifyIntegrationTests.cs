using Opsmon.Core.Series;
using Opsmon.Rules.Routing;
using Opsmon.Rules.Routing.Integrations;
using static Opsmon.Rules.Tests.Routing.RoutingFixture;

namespace Opsmon.Rules.Tests.Routing;

public sealed class NotifyIntegrationTests
{
    [Fact]
    public void A_critical_firing_group_is_an_urgent_notification_naming_the_alert()
    {
        var notification = new Notification("desk", "k", Labels.From(("alertname", "HighMemory")),
            [Firing("HighMemory", ("severity", "critical"), ("instance", "a")), Firing("HighMemory", ("severity", "critical"), ("instance", "b"))]);

        var args = NotifyIntegration.Arguments(notification);

        Assert.Equal(["--app-name=Opsmon", "--urgency=critical", "--", "[FIRING:2] HighMemory", "● HighMemory is bad\n● HighMemory is bad"], args);
    }

    [Fact]
    public void A_resolved_group_is_a_low_urgency_notification()
    {
        var notification = new Notification("desk", "k", Labels.From(("alertname", "HighMemory")), [Resolved(Firing("HighMemory"), Start)]);

        var args = NotifyIntegration.Arguments(notification);

        Assert.Equal("--urgency=low", args[1]);
        Assert.Equal("[RESOLVED] HighMemory", args[3]);
    }

    [Fact]
    public async Task Without_a_session_bus_delivery_fails_saying_why()
    {
        var notify = new NotifyIntegration(new NotifyReceiverConfig(), _ => null);

        var result = await notify.DeliverAsync(new Notification("desk", "k", Labels.Empty, [Firing("X")]), CancellationToken.None);

        Assert.False(result.Success);
        Assert.Contains("DBUS_SESSION_BUS_ADDRESS", result.Error, StringComparison.Ordinal);
    }
}
