using Opsmon.Core.Series;
using Opsmon.Rules.Routing;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Routing;

/// <summary>An integration that keeps what it was given, and fails on demand.</summary>
public sealed class RecordingIntegration(string name = "webhook", bool sendResolved = true) : IReceiverIntegration
{
    private readonly List<Notification> _received = [];

    public string Name => name;

    public bool SendResolved => sendResolved;

    public bool Fail { get; set; }

    public IReadOnlyList<Notification> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            return Task.FromResult(DeliveryResult.Failed("receiver is down"));
        }

        lock (_received)
        {
            _received.Add(notification);
        }

        return Task.FromResult(DeliveryResult.Ok);
    }
}

/// <summary>Alerts, a clock and a dispatcher for routing tests.</summary>
public static class RoutingFixture
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static AlertSnapshot Firing(string alertname, params (string Name, string Value)[] labels) =>
        new(Labels.From([("alertname", alertname), .. labels]), new Dictionary<string, string> { ["summary"] = alertname + " is bad" },
            AlertSnapshot.Firing, Start, null, 1, "http://opsmon.test/");

    public static AlertSnapshot Resolved(AlertSnapshot alert, DateTimeOffset at) =>
        alert with { Status = AlertSnapshot.Resolved, EndsAt = at };

    public static RouteConfig Route(params RouteConfig[] children) => new()
    {
        Receiver = "default",
        GroupBy = ["alertname"],
        Routes = children,
    };

    public static Dispatcher Dispatcher(ManualTime time, RouteConfig route, params (string Receiver, IReceiverIntegration Integration)[] receivers) =>
        new(route, receivers.GroupBy(r => r.Receiver).ToDictionary(g => g.Key, g => (IReadOnlyList<IReceiverIntegration>)[.. g.Select(r => r.Integration)]), time);

    /// <summary>Advances the clock in steps, flushing at each, so timing is observed as the run loop would.</summary>
    public static async Task RunForAsync(ManualTime time, Dispatcher dispatcher, TimeSpan duration, TimeSpan? step = null)
    {
        var end = time.GetUtcNow() + duration;
        var by = step ?? TimeSpan.FromSeconds(1);
        while (time.GetUtcNow() < end)
        {
            time.Advance(by);
            await dispatcher.FlushDueAsync();
        }
    }
}
