namespace Opsmon.Analysis.Checks;

/// <summary>Pressure stall information for CPU: share of time some runnable task waited for a CPU.</summary>
public sealed class CpuPressureCheck : IDoctorCheck
{
    public string Name => "cpu.pressure";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var some = context.Data.Rate("node_pressure_cpu_waiting_seconds_total") * 100;
        if (double.IsNaN(some))
        {
            yield break;
        }

        var t = context.Thresholds;
        var severity = Judge.Above(some, t.CpuPressureWarningPercent, t.CpuPressureCriticalPercent);
        var top = severity == Severity.Ok ? [] : context.Consumers.Cpu();
        yield return Judge.Make(Name, severity, "cpu",
            "Some task waited for a CPU " + Judge.Num(some) + "% of the time" + Judge.Mostly(top) + ".",
            "Tasks are delayed by CPU contention: lower the priority of " + (top.Count > 0 ? Judge.Culprit(top) : "the busiest process") +
            " or give latency-sensitive services their own cgroup cpu.weight.",
            [new Evidence("some", some, "percent")],
            top,
            severity == Severity.Ok ? [] : context.Consumers.CgroupCpu());
    }
}
