namespace Opsmon.Analysis.Checks;

/// <summary>USE saturation of each device: average I/Os in flight, the rate of io_time_weighted.</summary>
public sealed class DiskQueueCheck : IDoctorCheck
{
    public string Name => "disk.queue";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        foreach (var s in context.Data.Series("node_disk_io_time_weighted_seconds_total"))
        {
            var depth = s.Rate();
            var severity = Judge.Above(depth, t.DiskQueueDepthWarning, t.DiskQueueDepthCritical);
            if (double.IsNaN(depth) || severity == Severity.Ok)
            {
                continue;
            }

            var top = context.Consumers.Io();
            yield return Judge.Make(Name, severity, "disk:" + s["device"],
                Judge.Num(depth) + " I/Os were queued on " + s["device"] + " on average" + Judge.Mostly(top) + ".",
                "Requests wait for the device: reduce the I/O concurrency of " + (top.Count > 0 ? Judge.Culprit(top) : "the top I/O process") + " or use faster storage.",
                [new Evidence("queue_depth", depth, "count")],
                top);
        }
    }
}
