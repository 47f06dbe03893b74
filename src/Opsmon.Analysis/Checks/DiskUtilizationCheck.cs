namespace Opsmon.Analysis.Checks;

/// <summary>USE utilisation of each block device: share of wall time it had I/O in flight (io_time).</summary>
public sealed class DiskUtilizationCheck : IDoctorCheck
{
    public string Name => "disk.utilization";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        IReadOnlyList<ProcessUsage>? top = null;
        foreach (var s in context.Data.Series("node_disk_io_time_seconds_total"))
        {
            var busy = s.Rate() * 100;
            if (double.IsNaN(busy))
            {
                continue;
            }

            var device = s["device"];
            var severity = Judge.Above(busy, t.DiskUtilizationWarningPercent, t.DiskUtilizationCriticalPercent);
            if (severity != Severity.Ok)
            {
                top ??= context.Consumers.Io();
            }

            yield return Judge.Make(Name, severity, "disk:" + device,
                "The disk " + device + " was busy " + Judge.Num(busy) + "% of the time" + (severity == Severity.Ok ? string.Empty : Judge.Mostly(top!)) + ".",
                "Find why " + (top is { Count: > 0 } ? Judge.Culprit(top) : "the top I/O process") +
                " does this much I/O; throttle it (ionice, cgroup io.max), spread it over disks, or use faster storage.",
                [new Evidence("utilization", busy, "percent")],
                top);
        }
    }
}
