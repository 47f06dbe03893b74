using Opsmon.Analysis.Data;

namespace Opsmon.Analysis.Checks;

/// <summary>CPU time the hypervisor gave to other guests: capacity this virtual machine paid for but did not get.</summary>
public sealed class CpuStealCheck : IDoctorCheck
{
    public string Name => "cpu.steal";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        if (CpuTimes.From(context.Data) is not { } cpu)
        {
            yield break;
        }

        var steal = cpu.Steal * 100;
        var severity = Judge.Above(steal, context.Thresholds.StealWarningPercent, context.Thresholds.StealCriticalPercent);
        yield return Judge.Make(Name, severity, "cpu",
            "The hypervisor took " + Judge.Num(steal) + "% of CPU time for other guests.",
            "Move this VM to a less crowded host or a dedicated-CPU instance type; the cause is outside this machine.",
            [new Evidence("steal", steal, "percent")]);
    }
}
