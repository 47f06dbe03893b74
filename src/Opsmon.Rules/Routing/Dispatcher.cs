using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Opsmon.Core.Metrics;
using Opsmon.Rules.Routing.Integrations;

namespace Opsmon.Rules.Routing;

/// <summary>Settings of the dispatcher that are not part of the routing tree.</summary>
public sealed record DispatcherOptions
{
    /// <summary>
    /// The shortest time a firing alert stays valid without being reported again (Alertmanager's resolve_timeout);
    /// the validity is max(this, 4 × the evaluation interval). Past it the alert counts as resolved.
    /// </summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a group remembers a resolved alert it has notified and dropped, so the same resolved alert reported
    /// again by the rule engine (which keeps resolved alerts 15 minutes) is not notified twice.
    /// </summary>
    public TimeSpan ResolvedMemory { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The longest one delivery may take; integrations also apply their own configured timeouts.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest the run loop sleeps between looking for due flushes.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Takes alert snapshots from the rule engine, routes them through the tree into aggregation groups (and into
/// Alertmanager streams), and flushes groups when due, calling receivers' integrations with a timeout. A failed
/// delivery is logged (once until the integration recovers), counted, and retried at the group's next flush.
/// Thread-safe: <see cref="Receive"/> comes from the rule engine, flushes from <see cref="RunAsync"/>.
/// </summary>
public sealed class Dispatcher
{
    private readonly Lock _lock = new();
    private readonly Route _root;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<IReceiverIntegration>> _grouped;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<AlertStream>> _streams;
    private readonly Dictionary<string, AggregationGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset StartsAt, DateTimeOffset Until)> _notifiedResolved = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Receiver, string Integration), Counts> _counts = [];
    private readonly HashSet<IReceiverIntegration> _failing = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DispatcherOptions _options;
    private long _received;

    /// <param name="root">The routing tree's root.</param>
    /// <param name="receivers">Each receiver's integrations, by receiver name; every route's receiver must be here.</param>
    public Dispatcher(RouteConfig root, IReadOnlyDictionary<string, IReadOnlyList<IReceiverIntegration>> receivers, TimeProvider time, ILogger? logger = null, DispatcherOptions? options = null)
    {
        _root = Route.Root(root);
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _options = options ?? new DispatcherOptions();
        _grouped = receivers.ToDictionary(r => r.Key, r => (IReadOnlyList<IReceiverIntegration>)[.. r.Value.Where(i => i is not AlertmanagerIntegration)], StringComparer.Ordinal);
        _streams = receivers.ToDictionary(r => r.Key, r => (IReadOnlyList<AlertStream>)[.. r.Value.OfType<AlertmanagerIntegration>().Select(i => new AlertStream(r.Key, i))], StringComparer.Ordinal);
        foreach (var (receiver, integrations) in receivers)
        {
            foreach (var integration in integrations)
            {
                _counts.TryAdd((receiver, integration.Name), new Counts());
            }
        }
    }

    /// <summary>The groups that hold alerts now.</summary>
    public IReadOnlyList<AggregationGroup> Groups
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups.Values];
            }
        }
    }

    /// <summary>
    /// Routes one evaluation's alerts (firing, and resolved ones within the rule engine's retention).
    /// <paramref name="evaluationInterval"/> is the longest interval of the groups that produced them: a firing alert
    /// stays valid for max(resolve timeout, 4 × it) without being reported again.
    /// </summary>
    public void Receive(IReadOnlyList<AlertSnapshot> alerts, TimeSpan evaluationInterval)
    {
        var now = _time.GetUtcNow();
        var fourIntervals = 4 * evaluationInterval;
        var validUntil = now + (fourIntervals > _options.ResolveTimeout ? fourIntervals : _options.ResolveTimeout);
        lock (_lock)
        {
            _received += alerts.Count;
            foreach (var alert in alerts)
            {
                foreach (var route in _root.Match(alert.Labels))
                {
                    foreach (var stream in _streams[route.Config.Receiver])
                    {
                        stream.Insert(alert, now, evaluationInterval);
                    }

                    if (_grouped[route.Config.Receiver].Count > 0)
                    {
                        InsertIntoGroup(route, alert, now, validUntil);
                    }
                }
            }
        }
    }

    /// <summary>Routes one evaluation's alerts from rule groups evaluated every 15 s or faster.</summary>
    public void Receive(IReadOnlyList<AlertSnapshot> alerts) => Receive(alerts, TimeSpan.FromSeconds(15));

    /// <summary>The earliest time a group is due to flush, or null when there are no groups.</summary>
    public DateTimeOffset? NextFlush
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count == 0 ? null : _groups.Values.Min(g => g.NextFlush);
            }
        }
    }

    /// <summary>Flushes every group whose time has come and every Alertmanager stream with alerts due; returns how many deliveries were made.</summary>
    public async Task<int> FlushDueAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var plans = new List<FlushPlan>();
        var streamSends = new List<(AlertStream Stream, Notification Notification)>();
        lock (_lock)
        {
            foreach (var (key, until) in _notifiedResolved.ToList())
            {
                if (until.Until < now)
                {
                    _notifiedResolved.Remove(key);
                }
            }

            foreach (var group in _groups.Values.Where(g => g.NextFlush <= now).ToList())
            {
                plans.Add(group.Plan(now, group.Route.Config.Receiver));
            }

            foreach (var stream in _streams.Values.SelectMany(s => s))
            {
                if (stream.Plan(now) is { } notification)
                {
                    streamSends.Add((stream, notification));
                }
            }
        }

        var deliveries = 0;
        var groupTasks = plans.Select(async plan =>
        {
            var results = await Task.WhenAll(plan.Deliveries.Select(d => d.Notification is null
                ? Task.FromResult(true)
                : DeliverAsync(plan.Group.Integrations[d.Index], d.Notification, cancellationToken))).ConfigureAwait(false);
            return (plan, results);
        }).ToList();
        var streamTasks = streamSends.Select(async s => (s.Stream, s.Notification, Ok: await DeliverAsync(s.Stream.Integration, s.Notification, cancellationToken).ConfigureAwait(false))).ToList();
        var groupResults = await Task.WhenAll(groupTasks).ConfigureAwait(false);
        var streamResults = await Task.WhenAll(streamTasks).ConfigureAwait(false);

        var done = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var (plan, results) in groupResults)
            {
                deliveries += plan.Deliveries.Count(d => d.Notification is not null);
                foreach (var dropped in plan.Group.Complete(plan, results, now))
                {
                    _notifiedResolved[ResolvedKey(plan.Group.Key, dropped.Fingerprint)] = (dropped.StartsAt, done + _options.ResolvedMemory);
                }

                if (plan.Group.IsEmpty)
                {
                    _groups.Remove(plan.Group.Key);
                }
            }

            foreach (var (stream, notification, ok) in streamResults)
            {
                deliveries++;
                stream.Complete(notification, ok, done);
            }
        }

        return deliveries;
    }

    /// <summary>Flushes when due until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await FlushDueAsync(cancellationToken).ConfigureAwait(false);
                var wait = _options.PollInterval;
                if (NextFlush is { } next && next - _time.GetUtcNow() < wait)
                {
                    wait = next - _time.GetUtcNow();
                }

                await Task.Delay(wait > TimeSpan.FromMilliseconds(10) ? wait : TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Adds the dispatcher's counters to a scrape (see docs/configuration.md, "Routing and receivers").</summary>
    public void WriteMetrics(MetricSink sink)
    {
        lock (_lock)
        {
            sink.Single("opsmon_alerts_received_total", "Alert snapshots the dispatcher received from the rule engine (firing and resolved, one per alert per evaluation).",
                MetricType.Counter, _received);
            sink.Single("opsmon_alert_groups", "Aggregation groups that hold alerts.", MetricType.Gauge, _groups.Count);
            var total = sink.Family("opsmon_notifications_total", "Deliveries attempted, by receiver and integration.", MetricType.Counter, "receiver", "integration");
            var failed = sink.Family("opsmon_notifications_failed_total", "Deliveries that failed, by receiver and integration.", MetricType.Counter, "receiver", "integration");
            foreach (var ((receiver, integration), counts) in _counts.OrderBy(c => c.Key.Receiver, StringComparer.Ordinal).ThenBy(c => c.Key.Integration, StringComparer.Ordinal))
            {
                total.Add(counts.Total, receiver, integration);
                failed.Add(counts.Failed, receiver, integration);
            }
        }
    }

    private void InsertIntoGroup(Route route, AlertSnapshot alert, DateTimeOffset now, DateTimeOffset validUntil)
    {
        var groupLabels = route.GroupLabels(alert.Labels);
        var key = $"{route.Key}:{groupLabels}";
        var resolvedKey = ResolvedKey(key, alert.Fingerprint);
        if (!alert.IsFiring)
        {
            // Already notified as resolved and dropped: the rule engine's later copies of it are not news.
            if (_notifiedResolved.TryGetValue(resolvedKey, out var notified) && notified.StartsAt == alert.StartsAt)
            {
                return;
            }
        }
        else
        {
            _notifiedResolved.Remove(resolvedKey);
        }

        if (!_groups.TryGetValue(key, out var group))
        {
            group = new AggregationGroup(route, groupLabels, _grouped[route.Config.Receiver], now);
            _groups.Add(key, group);
        }

        group.Insert(alert, validUntil);
    }

    private static string ResolvedKey(string groupKey, string fingerprint) => groupKey + "\n" + fingerprint;

    private async Task<bool> DeliverAsync(IReceiverIntegration integration, Notification notification, CancellationToken cancellationToken)
    {
        DeliveryResult result;
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<DeliveryResult>? delivery = null;
        try
        {
            delivery = integration.DeliverAsync(notification, abandon.Token);
            result = await delivery.WaitAsync(_options.DeliveryTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            result = DeliveryResult.Failed($"no result within {_options.DeliveryTimeout.TotalSeconds:0.###}s");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = DeliveryResult.Failed(e.Message);
        }
        finally
        {
            if (delivery is { IsCompleted: false })
            {
                // Timed out: tell the integration to give up rather than leave it running.
                await abandon.CancelAsync().ConfigureAwait(false);
            }
        }

        lock (_lock)
        {
            var counts = _counts.TryGetValue((notification.Receiver, integration.Name), out var c) ? c : _counts[(notification.Receiver, integration.Name)] = new Counts();
            counts.Total++;
            if (!result.Success)
            {
                counts.Failed++;
                if (_failing.Add(integration))
                {
                    _logger.LogWarning("Notifying receiver {Receiver} through {Integration} failed: {Error} (logged once until it recovers; counted in opsmon_notifications_failed_total)",
                        notification.Receiver, integration.Name, result.Error);
                }
                else
                {
                    _logger.LogDebug("Notifying receiver {Receiver} through {Integration} failed again: {Error}", notification.Receiver, integration.Name, result.Error);
                }
            }
            else if (_failing.Remove(integration))
            {
                _logger.LogInformation("Notifying receiver {Receiver} through {Integration} works again", notification.Receiver, integration.Name);
            }
        }

        return result.Success;
    }

    private sealed class Counts
    {
        public long Total { get; set; }

        public long Failed { get; set; }
    }
}
