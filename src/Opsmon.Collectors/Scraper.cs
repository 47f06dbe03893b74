using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors;

/// <summary>
/// Runs the enabled collectors for one scrape. Each collector is timed and its success recorded in
/// opsmon_scrape_collector_duration_seconds / _success; a failing collector is logged once (until it
/// recovers) and never fails the scrape. Collectors run one after another: on a small machine that costs
/// the least CPU, and procfs reads do not gain from parallelism (node_exporter issue #2966).
/// </summary>
public sealed class Scraper
{
    private readonly List<ICollector> _collectors;
    private readonly ILogger _logger;
    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    // Each family's sample count at the last scrape, so the next one allocates its lists at their size at once.
    private readonly Dictionary<string, int> _sizes = new(StringComparer.Ordinal);

    public Scraper(CollectorContext context, IEnumerable<string> enabled)
    {
        _logger = context.Logger;
        _collectors = [];
        foreach (var name in enabled)
        {
            var registration = CollectorCatalog.Find(name)
                ?? throw new ArgumentException($"Unknown collector '{name}'. Known: {string.Join(", ", CollectorCatalog.All.Select(r => r.Name))}.", nameof(enabled));
            _collectors.Add(registration.Create(context));
        }
    }

    public IReadOnlyList<string> CollectorNames => [.. _collectors.Select(c => c.Name)];

    /// <summary>The default collector set, with --collector.X / --no-collector.X overrides applied.</summary>
    public static IReadOnlyList<string> ResolveEnabled(IReadOnlyDictionary<string, bool> overrides) =>
        [.. CollectorCatalog.All
            .Where(r => overrides.TryGetValue(r.Name, out var on) ? on : r.EnabledByDefault)
            .Select(r => r.Name)];

    /// <summary>Collects once. Serialised: collectors keep state between scrapes (CPU caches, process tracking).</summary>
    public MetricSink Collect()
    {
        lock (_gate)
        {
            var sink = new MetricSink();
            var duration = new MetricFamily("opsmon_scrape_collector_duration_seconds", "Duration of a collector scrape.", MetricType.Gauge, "collector");
            var success = new MetricFamily("opsmon_scrape_collector_success", "Whether a collector succeeded.", MetricType.Gauge, "collector");
            foreach (var collector in _collectors)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = Run(collector, sink);
                duration.Add(Stopwatch.GetElapsedTime(started).TotalSeconds, collector.Name);
                success.Add(ok ? 1 : 0, collector.Name);
            }

            sink.Add(duration);
            sink.Add(success);
            foreach (var family in sink.Families)
            {
                _sizes[family.Name] = family.Samples.Count;
            }

            return sink;
        }
    }

    private bool Run(ICollector collector, MetricSink sink)
    {
        // Each collector writes into its own sink so a failure halfway leaves no partial families behind.
        var own = new MetricSink(_sizes);
        try
        {
            collector.Update(own);
        }
        catch (NoDataException e)
        {
            LogOnce(collector.Name, LogLevel.Debug, e);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogOnce(collector.Name, LogLevel.Warning, e);
            return false;
        }

        if (_failing.Remove(collector.Name))
        {
            _logger.LogInformation("Collector {Collector} recovered", collector.Name);
        }

        sink.AddRange(own);
        return true;
    }

    private void LogOnce(string name, LogLevel level, Exception e)
    {
        if (_failing.Add(name))
        {
            _logger.Log(level, e, "Collector {Collector} failed: {Message}", name, e.Message);
        }
    }
}
