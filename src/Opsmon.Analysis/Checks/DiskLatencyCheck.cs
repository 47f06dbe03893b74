namespace Opsmon.Analysis.Checks;

/// <summary>Average time per completed I/O on each device (await), from read/write time over completed count.</summary>
public sealed class DiskLatencyCheck : IDoctorCheck
{
    public string Name => "disk.await";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var data = context.Data;
        var readTime = Increases(data, "node_disk_read_time_seconds_total");
        var writeTime = Increases(data, "node_disk_write_time_seconds_total");
        var reads = Increases(data, "node_disk_reads_completed_total");
        var writes = Increases(data, "node_disk_writes_completed_total");
        var t = context.Thresholds;
        IReadOnlyList<ProcessUsage>? top = null;
        foreach (var device in reads.Keys.Union(writes.Keys).Order(StringComparer.Ordinal))
        {
            var ios = reads.GetValueOrDefault(device) + writes.GetValueOrDefault(device);
            if (ios <= 0)
            {
                continue;
            }

            var awaitMs = (readTime.GetValueOrDefault(device) + writeTime.GetValueOrDefault(device)) / ios * 1000;
            var severity = Judge.Above(awaitMs, t.DiskAwaitWarningMilliseconds, t.DiskAwaitCriticalMilliseconds);
            if (severity != Severity.Ok)
            {
                top ??= context.Consumers.Io();
            }

            yield return Judge.Make(Name, severity, "disk:" + device,
                "I/O on " + device + " took " + Judge.Num(awaitMs) + " ms on average" + (severity == Severity.Ok ? string.Empty : Judge.Mostly(top!)) + ".",
                "The device is slow or overloaded: check its health (smartctl -a), reduce the I/O of " +
                (top is { Count: > 0 } ? Judge.Culprit(top) : "the top I/O process") + ", or move the data to faster storage.",
                [new Evidence("await", awaitMs, "milliseconds"), new Evidence("iops", ios / Math.Max(1, context.Window.DurationSeconds), "1/s")],
                top);
        }
    }

    private static Dictionary<string, double> Increases(Data.MetricReader data, string metric) =>
        data.Series(metric).Where(static s => s.Count >= 2)
            .GroupBy(static s => s["device"], StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.Sum(static s => s.Increase()), StringComparer.Ordinal);
}
