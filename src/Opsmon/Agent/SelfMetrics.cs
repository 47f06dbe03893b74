using Opsmon.Analysis;
using Opsmon.Core.Metrics;
using Opsmon.Core.Series;
using Opsmon.RemoteWrite;
using Opsmon.Storage;

namespace Opsmon.Agent;

/// <summary>
/// Opsmon's own metrics (its process and runtime, store, remote write, notifications and actions), added to every
/// scrape and to the store.
/// </summary>
public sealed class SelfMetrics(Tsdb store, IReadOnlyList<RemoteWriteSender> senders, AlertRouting? routing = null, MemoryTrimmer? trimmer = null)
{
    private readonly RuntimeMetrics _runtime = new();
    private readonly Lock _runtimeLock = new();
    private volatile IReadOnlyList<DerivedSample> _derived = [];

    /// <summary>The analyzers' latest results (leak suspects, growth rates, time-to-full), published as gauges.</summary>
    public void SetDerived(IReadOnlyList<DerivedSample> samples) => _derived = samples;

    public void Update(MetricSink sink)
    {
        foreach (var group in _derived.GroupBy(d => d.Name, StringComparer.Ordinal))
        {
            var names = group.SelectMany(d => d.Labels.AsSpan().ToArray()).Select(l => l.Name)
                .Where(n => n != Labels.MetricName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var family = sink.Family(group.Key, "Derived by Opsmon's analyzers; see docs/doctor.md.", MetricType.Gauge, names);
            foreach (var d in group)
            {
                family.Add(d.Value, [.. names.Select(d.Labels.Get)]);
            }
        }

        lock (_runtimeLock)
        {
            _runtime.Update(sink); // its read buffer is shared: a scrape and the collection loop may run at once
        }

        if (trimmer is not null)
        {
            sink.Single("opsmon_memory_trims_total", "Times the idle agent compacted its heap and gave the free memory back to the host.",
                MetricType.Counter, trimmer.Trims);
        }

        var s = store.Stats;
        sink.Single("opsmon_tsdb_head_series", "Series in the store's in-memory head.", MetricType.Gauge, s.HeadSeries);
        sink.Single("opsmon_tsdb_blocks_loaded", "Persisted blocks the store serves.", MetricType.Gauge, s.Blocks);
        sink.Single("opsmon_tsdb_storage_blocks_bytes", "Bytes of the persisted blocks.", MetricType.Gauge, s.BlockBytes);
        sink.Single("opsmon_tsdb_samples_appended_total", "Samples appended to the store.", MetricType.Counter, s.AppendedSamples);
        sink.Single("opsmon_tsdb_out_of_order_samples_total", "Samples rejected because they were older than the series' newest.", MetricType.Counter, s.OutOfOrderSamples);
        sink.Single("opsmon_tsdb_write_errors_total", "Failed writes to the WAL or blocks (disk full, I/O errors); data stays in memory meanwhile.", MetricType.Counter, s.WriteErrors);
        sink.Single("opsmon_tsdb_wal_repairs_total", "WAL segments truncated at a corrupt record at start-up.", MetricType.Counter, s.WalRepairs);
        sink.Single("opsmon_tsdb_quarantined_blocks", "Blocks set aside as unreadable at start-up.", MetricType.Gauge, s.QuarantinedBlocks);
        foreach (var sender in senders)
        {
            sender.WriteMetrics(sink);
        }

        routing?.WriteMetrics(sink);
    }
}
