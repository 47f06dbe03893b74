namespace Opsmon.Analysis.Checks;

/// <summary>cgroups whose CPU quota (cpu.max) held them back: throttled seconds per second.</summary>
public sealed class CgroupThrottlingCheck : IDoctorCheck
{
    public string Name => "cgroup.cpu.throttled";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        foreach (var cgroup in context.Consumers.CgroupThrottled())
        {
            var severity = Judge.Above(cgroup.Value, t.CgroupThrottledWarningRatio, t.CgroupThrottledCriticalRatio);
            if (severity == Severity.Ok)
            {
                continue;
            }

            yield return Judge.Make(Name, severity, "cgroup:" + cgroup.Cgroup,
                "The cgroup " + cgroup.Cgroup + " was throttled " + Judge.Num(cgroup.Value, 2) + " s per second by its CPU quota.",
                "Raise its cpu.max quota (or the container's CPU limit), or make the workload use fewer threads.",
                [new Evidence("throttled", cgroup.Value, "ratio")],
                cgroups: [cgroup]);
        }
    }
}
