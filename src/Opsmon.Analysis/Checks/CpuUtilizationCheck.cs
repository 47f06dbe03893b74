using Opsmon.Analysis.Data;

namespace Opsmon.Analysis.Checks;

/// <summary>USE utilisation of the CPUs: busy share of all CPU time, attributed to the top CPU users.</summary>
public sealed class CpuUtilizationCheck : IDoctorCheck
{
    public string Name => "cpu.utilization";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        if (CpuTimes.From(context.Data) is not { } cpu)
        {
            yield break;
        }

        var t = context.Thresholds;
        var busy = cpu.Busy * 100;
        var severity = Judge.Above(busy, t.CpuUtilizationWarningPercent, t.CpuUtilizationCriticalPercent);
        var top = context.Consumers.Cpu();
        var explanation = severity == Severity.Ok
            ? "CPUs were " + Judge.Num(busy) + "% busy over the window."
            : "CPUs were " + Judge.Num(busy) + "% busy over the window" + Judge.Mostly(top) + ".";
        yield return Judge.Make(Name, severity, "cpu", explanation,
            "Find out whether " + (top.Count > 0 ? Judge.Culprit(top) : "the top process") +
            " should use this much CPU; lower its priority (renice), cap it with a cgroup cpu.max, or add cores.",
            [
                new Evidence("utilization", busy, "percent"),
                new Evidence("user", cpu.User * 100, "percent"),
                new Evidence("system", cpu.System * 100, "percent"),
                new Evidence("cores", context.Machine.Cores, "count"),
            ],
            top,
            severity == Severity.Ok ? [] : context.Consumers.CgroupCpu());
    }
}
