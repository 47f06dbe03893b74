namespace Opsmon.Analysis.Checks;

/// <summary>Major page faults per second: pages read back from disk (file cache thrashing or swap-in).</summary>
public sealed class MajorFaultsCheck : IDoctorCheck
{
    public string Name => "memory.major_faults";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var faults = context.Data.Rate("node_vmstat_pgmajfault");
        if (double.IsNaN(faults))
        {
            yield break;
        }

        var t = context.Thresholds;
        var severity = Judge.Above(faults, t.MajorFaultsWarningPerSecond, t.MajorFaultsCriticalPerSecond);
        var top = severity == Severity.Ok ? [] : context.Consumers.Memory();
        yield return Judge.Make(Name, severity, "memory",
            Judge.Num(faults, 0) + " major page faults per second had to read pages from disk" + Judge.Mostly(top) + ".",
            "The working set does not fit in memory: reduce the memory use of " + (top.Count > 0 ? Judge.Culprit(top) : "the largest process") + " or add memory.",
            [new Evidence("major_faults", faults, "1/s")],
            top);
    }
}
