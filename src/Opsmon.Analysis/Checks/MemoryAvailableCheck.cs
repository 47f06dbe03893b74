namespace Opsmon.Analysis.Checks;

/// <summary>MemAvailable against MemTotal at the end of the window, attributed to the largest resident processes.</summary>
public sealed class MemoryAvailableCheck : IDoctorCheck
{
    public string Name => "memory.available";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var available = context.Data.Last("node_memory_MemAvailable_bytes");
        var total = context.Machine.MemTotalBytes;
        if (double.IsNaN(available) || total <= 0)
        {
            yield break;
        }

        var percent = available / total * 100;
        var t = context.Thresholds;
        var severity = Judge.Below(percent, t.MemoryAvailableWarningPercent, t.MemoryAvailableCriticalPercent);
        var top = severity == Severity.Ok ? [] : context.Consumers.Memory();
        yield return Judge.Make(Name, severity, "memory",
            (severity == Severity.Ok ? string.Empty : "Only ") + Judge.Bytes(available) + " (" + Judge.Num(percent) + "%) of " + Judge.Bytes(total) + " memory is available" + Judge.Mostly(top) + ".",
            "Stop or restart " + (top.Count > 0 ? Judge.Culprit(top) : "the largest process") +
            ", cap it with a cgroup memory.max, or add memory; the OOM killer acts next.",
            [new Evidence("available", available, "bytes"), new Evidence("available_percent", percent, "percent"), new Evidence("total", total, "bytes")],
            top,
            severity == Severity.Ok ? [] : context.Consumers.CgroupMemory());
    }
}
