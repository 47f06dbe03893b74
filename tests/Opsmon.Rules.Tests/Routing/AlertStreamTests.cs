using Opsmon.Rules.Routing;
using Opsmon.Rules.Routing.Integrations;
using Opsmon.Rules.Tests.Support;
using static Opsmon.Rules.Tests.Routing.RoutingFixture;

namespace Opsmon.Rules.Tests.Routing;

/// <summary>Alertmanager integrations are fed as Prometheus feeds Alertmanager, not on the route's group timing.</summary>
public sealed class AlertStreamTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private readonly ManualTime _time = new(Start);
    private readonly AlertStream _stream = new("am", new AlertmanagerIntegration(
        new AlertmanagerReceiverConfig { Url = new Uri("http://127.0.0.1:9093") }, new HttpClient()));

    [Fact]
    public void A_new_firing_alert_is_due_at_once_with_an_end_four_resend_delays_ahead()
    {
        _stream.Insert(Firing("HighMemory"), _time.GetUtcNow(), Interval);

        var due = _stream.Plan(_time.GetUtcNow());

        var alert = Assert.Single(due!.Alerts);
        Assert.True(alert.IsFiring);
        Assert.Equal(Start + TimeSpan.FromMinutes(4), alert.EndsAt);
    }

    [Fact]
    public void A_still_firing_alert_is_resent_every_resend_delay_and_not_in_between()
    {
        var dueAt = new List<TimeSpan>();
        for (var s = 0; s < 300; s += 15)
        {
            _stream.Insert(Firing("HighMemory"), _time.GetUtcNow(), Interval);
            if (_stream.Plan(_time.GetUtcNow()) is { } due)
            {
                dueAt.Add(_time.GetUtcNow() - Start);
                _stream.Complete(due, success: true, _time.GetUtcNow());
                // Each send moves endsAt on, so Alertmanager never sees the alert expire while it fires.
                Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(4), due.Alerts.Single().EndsAt);
            }

            _time.Advance(TimeSpan.FromSeconds(15));
        }

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4)], dueAt);
    }

    [Fact]
    public void A_resolved_alert_is_due_at_once_with_its_real_end()
    {
        var alert = Firing("HighMemory");
        _stream.Insert(alert, _time.GetUtcNow(), Interval);
        _stream.Complete(_stream.Plan(_time.GetUtcNow())!, success: true, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(15));
        var endedAt = _time.GetUtcNow() - TimeSpan.FromSeconds(3);

        _stream.Insert(Resolved(alert, endedAt), _time.GetUtcNow(), Interval);
        var due = _stream.Plan(_time.GetUtcNow());

        var sent = Assert.Single(due!.Alerts);
        Assert.Equal("resolved", sent.Status);
        Assert.Equal(endedAt, sent.EndsAt);
    }

    [Fact]
    public void A_failed_send_is_retried_after_a_back_off()
    {
        _stream.Insert(Firing("HighMemory"), _time.GetUtcNow(), Interval);
        _stream.Complete(_stream.Plan(_time.GetUtcNow())!, success: false, _time.GetUtcNow());

        var immediately = _stream.Plan(_time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1));
        var afterBackOff = _stream.Plan(_time.GetUtcNow());

        Assert.Null(immediately);
        Assert.NotNull(afterBackOff);
    }

    [Fact]
    public void A_resolved_alert_no_longer_reported_is_forgotten()
    {
        var alert = Firing("HighMemory");
        _stream.Insert(Resolved(alert, Start), _time.GetUtcNow(), Interval);
        _stream.Complete(_stream.Plan(_time.GetUtcNow())!, success: true, _time.GetUtcNow());

        _time.Advance(TimeSpan.FromMinutes(5));
        var due = _stream.Plan(_time.GetUtcNow());

        Assert.Null(due);
        Assert.Equal(0, _stream.Count);
    }
}
