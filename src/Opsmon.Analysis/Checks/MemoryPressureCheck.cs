namespace Opsmon.Analysis.Checks;

/// <summary>Pressure stall information for memory: share of time some task stalled on reclaim or swap-in.</summary>
public sealed class MemoryPressureCheck : IDoctorCheck
{
    public string Name => "memory.pressure";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var some = context.Data.Rate("node_pressure_memory_waiting_seconds_total") * 100;
        if (double.IsNaN(some))
        {
            yield break;
        }

        var full = context.Data.Rate("node_pressure_memory_stalled_seconds_total") * 100;
        var t = context.Thresholds;
        var severity = Judge.Above(some, t.MemoryPressureWarningPercent, t.MemoryPressureCriticalPercent);
        var top = severity == Severity.Ok ? [] : context.Consumers.Memory();
        var evidence = new List<Evidence> { new("some", some, "percent") };
        if (!double.IsNaN(full))
        {
            evidence.Add(new Evidence("full", full, "percent"));
        }

        yield return Judge.Make(Name, severity, "memory",
            "Some task stalled on memory " + Judge.Num(some) + "% of the time" + Judge.Mostly(top) + ".",
            "The machine is reclaiming or swapping to satisfy allocations: free memory by stopping or capping " +
            (top.Count > 0 ? Judge.Culprit(top) : "the largest process") + ", or add memory.",
            evidence,
            top,
            severity == Severity.Ok ? [] : context.Consumers.CgroupMemory());
    }
}
