namespace Opsmon.Analysis.Checks;

/// <summary>USE saturation of the CPUs: runnable tasks per core (node_procs_running, else load1).</summary>
public sealed class RunQueueCheck : IDoctorCheck
{
    public string Name => "cpu.runqueue";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var cores = context.Machine.Cores;
        var source = "procs_running";
        var runnable = context.Data.Mean("node_procs_running");
        if (double.IsNaN(runnable))
        {
            source = "load1";
            runnable = context.Data.Mean("node_load1");
        }

        if (double.IsNaN(runnable) || cores <= 0)
        {
            yield break;
        }

        var perCore = runnable / cores;
        var t = context.Thresholds;
        var severity = Judge.Above(perCore, t.RunQueueWarningPerCore, t.RunQueueCriticalPerCore);
        var top = severity == Severity.Ok ? [] : context.Consumers.Cpu();
        yield return Judge.Make(Name, severity, "cpu",
            Judge.Num(runnable) + " tasks were runnable on average for " + cores + " cores (" + Judge.Num(perCore) + " per core)" + Judge.Mostly(top) + ".",
            "Reduce the parallelism of " + (top.Count > 0 ? Judge.Culprit(top) : "the busiest job") + " (fewer threads or workers) or add cores.",
            [new Evidence(source, runnable, "count"), new Evidence("per_core", perCore, "ratio"), new Evidence("cores", cores, "count")],
            top,
            severity == Severity.Ok ? [] : context.Consumers.CgroupCpu());
    }
}
