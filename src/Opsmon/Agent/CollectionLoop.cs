using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Opsmon.Analysis;
using Opsmon.Collectors;
using Opsmon.Http;
using Opsmon.Storage;
using Opsmon.Storage.Head;

namespace Opsmon.Agent;

/// <summary>
/// Collects every interval and appends the scrape to the store. Timestamps are aligned to the interval
/// (a 15 s interval gives …:00, :15, :30), which makes delta-of-delta timestamp encoding nearly free and
/// matches what the store's compression expects. Runs store maintenance (cut, compact, retention) once a minute,
/// then the analyzers with <paramref name="thresholds"/> (the config's <c>doctor:</c> section; null: the defaults).
/// </summary>
public sealed class CollectionLoop(
    Scraper scraper,
    Tsdb store,
    SelfMetrics self,
    MetadataCache metadata,
    TimeProvider time,
    TimeSpan interval,
    ILogger<CollectionLoop> logger,
    Thresholds? thresholds = null) : BackgroundService
{
    private static readonly TimeSpan MaintenanceEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AnalysisWindow = TimeSpan.FromMinutes(30);

    private readonly SampleConversion _conversion = new();
    private ScrapeAppender? _appender;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _appender = store.ScrapeAppender();
        var intervalMs = (long)interval.TotalMilliseconds;
        var lastMaintenance = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var next = (now / intervalMs + 1) * intervalMs;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(next - now), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            CollectOnce(next);
            if (time.GetUtcNow() - lastMaintenance >= MaintenanceEvery)
            {
                lastMaintenance = time.GetUtcNow();
                try
                {
                    store.Maintain();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    logger.LogWarning("Store maintenance failed: {Message}", e.Message);
                }

                Analyze(lastMaintenance.ToUnixTimeMilliseconds());
            }
        }
    }

    /// <summary>Runs the analyzers over the last half hour and publishes what they derive (leak suspects, forecasts).</summary>
    private void Analyze(long nowMs)
    {
        try
        {
            var result = new Analyzer().Analyze(store, nowMs - (long)AnalysisWindow.TotalMilliseconds, nowMs, thresholds ?? Thresholds.Default,
                new MachineFacts(Environment.ProcessorCount, Environment.SystemPageSize, 0, Environment.MachineName));
            self.SetDerived(result.Samples);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            logger.LogWarning("Analysis failed: {Message}", e.Message);
        }
    }

    /// <summary>One collection appended at <paramref name="timestamp"/> (ms).</summary>
    public void CollectOnce(long timestamp)
    {
        _appender ??= store.ScrapeAppender();
        var sink = scraper.Collect();
        self.Update(sink);
        _conversion.AppendAll(sink.Families, _appender, timestamp);
        _appender.Commit(timestamp);
        metadata.Update(sink.Families);
    }
}
