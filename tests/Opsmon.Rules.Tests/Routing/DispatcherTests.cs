using Opsmon.Core.Metrics;
using Opsmon.Core.Series;
using Opsmon.Rules.Routing;
using Opsmon.Rules.Tests.Support;
using static Opsmon.Rules.Tests.Routing.RoutingFixture;

namespace Opsmon.Rules.Tests.Routing;

public sealed class DispatcherTests
{
    private readonly ManualTime _time = new(Start);

    [Fact]
    public async Task The_first_notification_waits_for_group_wait()
    {
        var hook = new RecordingIntegration();
        var dispatcher = Dispatcher(_time, Route(), ("default", hook));

        dispatcher.Receive([Firing("HighMemory")]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(29));
        var beforeWait = hook.Received.Count;
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(1));

        Assert.Equal(0, beforeWait);
        var notification = Assert.Single(hook.Received);
        Assert.Equal("firing", notification.Status);
        Assert.Equal("{}:{alertname=\"HighMemory\"}", notification.GroupKey);
    }

    [Fact]
    public async Task Alerts_arriving_within_group_wait_go_out_together()
    {
        var hook = new RecordingIntegration();
        var dispatcher = Dispatcher(_time, Route(), ("default", hook));

        dispatcher.Receive([Firing("HighMemory", ("instance", "a"))]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(10));
        dispatcher.Receive([Firing("HighMemory", ("instance", "b"))]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(30));

        var notification = Assert.Single(hook.Received);
        Assert.Equal(["a", "b"], notification.Alerts.Select(a => a.Labels.Get("instance")));
    }

    [Fact]
    public async Task An_alert_joining_a_notified_group_waits_for_group_interval()
    {
        var hook = new RecordingIntegration();
        var dispatcher = Dispatcher(_time, Route(), ("default", hook));
        dispatcher.Receive([Firing("HighMemory", ("instance", "a"))]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(30));

        dispatcher.Receive([Firing("HighMemory", ("instance", "a")), Firing("HighMemory", ("instance", "b"))]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        var beforeInterval = hook.Received.Count;
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(1));

        Assert.Equal(1, beforeInterval);
        Assert.Equal(2, hook.Received.Count);
        Assert.Equal(2, hook.Received[1].Alerts.Count);
    }

    [Fact]
    public async Task An_unchanged_firing_group_repeats_after_repeat_interval_and_never_earlier()
    {
        var hook = new RecordingIntegration();
        var dispatcher = Dispatcher(_time, Route(), ("default", hook));
        var alert = Firing("HighMemory");

        // Still firing: the rule engine reports it every minute.
        var sentAt = new List<TimeSpan>();
        for (var minute = 0; minute < 9 * 60; minute++)
        {
            dispatcher.Receive([alert], TimeSpan.FromMinutes(1));
            for (var s = 0; s < 60; s += 15)
            {
                var before = hook.Received.Count;
                await dispatcher.FlushDueAsync();
                if (hook.Received.Count > before)
                {
                    sentAt.Add(_time.GetUtcNow() - Start);
                }

                _time.Advance(TimeSpan.FromSeconds(15));
            }
        }

        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30) + TimeSpan.FromHours(4), TimeSpan.FromSeconds(30) + TimeSpan.FromHours(8)], sentAt);
    }

    [Fact]
    public async Task A_resolved_alert_is_notified_once_and_never_repeated()
    {
        var hook = new RecordingIntegration(sendResolved: true);
        var dispatcher = Dispatcher(_time, Route(), ("default", hook));
        var alert = Firing("HighMemory");
        dispatcher.Receive([alert]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(30));
        var resolved = Resolved(alert, _time.GetUtcNow());

        // The rule engine keeps reporting the resolved alert for its retention (15 minutes); then it is gone.
        for (var i = 0; i < 15; i++)
        {
            dispatcher.Receive([resolved]);
            await RunForAsync(_time, dispatcher, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15));
        }

        await RunForAsync(_time, dispatcher, TimeSpan.FromHours(5), TimeSpan.FromMinutes(1));

        Assert.Equal(["firing", "resolved"], hook.Received.Select(n => n.Status));
        Assert.Equal(resolved.EndsAt, hook.Received[1].Alerts.Single().EndsAt);
        Assert.Empty(dispatcher.Groups);
    }

    [Fact]
    public async Task An_integration_without_send_resolved_is_not_told_of_resolution()
    {
        var quiet = new RecordingIntegration("notify", sendResolved: false);
        var dispatcher = Dispatcher(_time, Route(), ("default", quiet));
        var alert = Firing("HighMemory");
        dispatcher.Receive([alert]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(30));

        dispatcher.Receive([Resolved(alert, _time.GetUtcNow())]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromHours(5), TimeSpan.FromMinutes(1));

        Assert.Equal(["firing"], quiet.Received.Select(n => n.Status));
        Assert.Empty(dispatcher.Groups);
    }

    [Fact]
    public async Task A_firing_alert_no_longer_reported_resolves_when_its_validity_ends()
    {
        var hook = new RecordingIntegration();
        var dispatcher = Dispatcher(_time, Route() with { GroupInterval = TimeSpan.FromMinutes(1) }, ("default", hook));
        dispatcher.Receive([Firing("HighMemory")], TimeSpan.FromMinutes(1));
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(30));

        // Reported once at Start with a 1-minute interval: valid for max(5m, 4 x 1m) = 5 minutes.
        await RunForAsync(_time, dispatcher, TimeSpan.FromMinutes(4));
        var whileValid = hook.Received.Count;
        await RunForAsync(_time, dispatcher, TimeSpan.FromMinutes(2));

        Assert.Equal(1, whileValid);
        Assert.Equal("resolved", hook.Received[^1].Status);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), hook.Received[^1].Alerts.Single().EndsAt);
    }

    [Fact]
    public async Task A_child_route_takes_matching_alerts_and_continue_lets_later_siblings_match_too()
    {
        var ops = new RecordingIntegration();
        var pager = new RecordingIntegration();
        var fallback = new RecordingIntegration();
        var critical = new LabelMatcher(MatcherType.Equal, "severity", "critical");
        var route = Route(
            new RouteConfig { Receiver = "ops", Matchers = [critical], Continue = true, GroupBy = ["alertname"], GroupWait = TimeSpan.Zero },
            new RouteConfig { Receiver = "pager", Matchers = [critical], GroupBy = ["alertname"], GroupWait = TimeSpan.Zero },
            new RouteConfig { Receiver = "ops", Matchers = [new LabelMatcher(MatcherType.Regex, "severity", "warn.*")], GroupBy = ["alertname"], GroupWait = TimeSpan.Zero });
        var dispatcher = Dispatcher(_time, route with { GroupWait = TimeSpan.Zero }, ("ops", ops), ("pager", pager), ("default", fallback));

        dispatcher.Receive([Firing("Disk", ("severity", "critical")), Firing("Load", ("severity", "warning")), Firing("Info", ("severity", "info"))]);
        await dispatcher.FlushDueAsync();

        Assert.Equal(["Disk", "Load"], ops.Received.Select(n => n.GroupLabels.Get("alertname")).Order());
        Assert.Equal(["Disk"], pager.Received.Select(n => n.GroupLabels.Get("alertname")));
        Assert.Equal(["Info"], fallback.Received.Select(n => n.GroupLabels.Get("alertname")));
    }

    [Fact]
    public async Task Group_by_splits_groups_and_the_ellipsis_groups_by_every_label()
    {
        var byName = new RecordingIntegration();
        var each = new RecordingIntegration();
        var route = Route(new RouteConfig { Receiver = "each", Matchers = [new LabelMatcher(MatcherType.Equal, "team", "b")], GroupByAll = true, GroupWait = TimeSpan.Zero });
        var dispatcher = Dispatcher(_time, route with { GroupWait = TimeSpan.Zero }, ("default", byName), ("each", each));

        dispatcher.Receive([
            Firing("A", ("team", "a"), ("instance", "1")), Firing("A", ("team", "a"), ("instance", "2")), Firing("B", ("team", "a")),
            Firing("C", ("team", "b"), ("instance", "1")), Firing("C", ("team", "b"), ("instance", "2"))]);
        await dispatcher.FlushDueAsync();

        Assert.Equal([2, 1], byName.Received.OrderBy(n => n.GroupKey, StringComparer.Ordinal).Select(n => n.Alerts.Count));
        Assert.Equal(2, each.Received.Count);
        Assert.All(each.Received, n => Assert.Equal(3, n.GroupLabels.Count));
    }

    [Fact]
    public async Task A_failed_delivery_is_counted_and_retried_at_the_next_group_interval()
    {
        var hook = new RecordingIntegration { Fail = true };
        var dispatcher = Dispatcher(_time, Route(), ("default", hook));
        dispatcher.Receive([Firing("HighMemory")]);
        await RunForAsync(_time, dispatcher, TimeSpan.FromSeconds(30));

        hook.Fail = false;
        await RunForAsync(_time, dispatcher, TimeSpan.FromMinutes(5));
        var sink = new MetricSink();
        dispatcher.WriteMetrics(sink);

        Assert.Single(hook.Received);
        Assert.Equal(2, Sample(sink, "opsmon_notifications_total", "default", "webhook"));
        Assert.Equal(1, Sample(sink, "opsmon_notifications_failed_total", "default", "webhook"));
        Assert.Equal(1, sink.Families.Single(f => f.Name == "opsmon_alerts_received_total").Samples.Single().Value);
    }

    [Fact]
    public async Task A_delivery_that_does_not_finish_in_time_fails()
    {
        var hanging = new HangingIntegration();
        var dispatcher = new Dispatcher(Route() with { GroupWait = TimeSpan.Zero }, new Dictionary<string, IReadOnlyList<IReceiverIntegration>> { ["default"] = [hanging] },
            _time, options: new DispatcherOptions { DeliveryTimeout = TimeSpan.FromMilliseconds(50) });
        dispatcher.Receive([Firing("HighMemory")]);

        await dispatcher.FlushDueAsync();
        var sink = new MetricSink();
        dispatcher.WriteMetrics(sink);

        Assert.Equal(1, Sample(sink, "opsmon_notifications_failed_total", "default", "hang"));
        await hanging.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static double Sample(MetricSink sink, string family, params string[] labels) =>
        sink.Families.Single(f => f.Name == family).Samples.Single(s => s.LabelValues.SequenceEqual(labels)).Value;

    private sealed class HangingIntegration : IReceiverIntegration
    {
        public string Name => "hang";

        public bool SendResolved => true;

        public TaskCompletionSource Cancelled { get; } = new();

        public async Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return DeliveryResult.Ok;
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                throw;
            }
        }
    }
}
