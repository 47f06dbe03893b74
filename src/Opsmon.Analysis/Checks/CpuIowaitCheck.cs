using Opsmon.Analysis.Data;

namespace Opsmon.Analysis.Checks;

/// <summary>CPU time spent idle while I/O was outstanding: a sign the workload waits on disks.</summary>
public sealed class CpuIowaitCheck : IDoctorCheck
{
    public string Name => "cpu.iowait";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        if (CpuTimes.From(context.Data) is not { } cpu)
        {
            yield break;
        }

        var iowait = cpu.Iowait * 100;
        var severity = Judge.Above(iowait, context.Thresholds.IowaitWarningPercent, context.Thresholds.IowaitCriticalPercent);
        var top = severity == Severity.Ok ? [] : context.Consumers.Io();
        yield return Judge.Make(Name, severity, "cpu",
            "CPUs spent " + Judge.Num(iowait) + "% of their time waiting for I/O" + Judge.Mostly(top) + ".",
            "Look at the disk findings and at what " + (top.Count > 0 ? Judge.Culprit(top) : "the top I/O process") +
            " reads and writes; move it to faster storage or throttle it with ionice or a cgroup io.max.",
            [new Evidence("iowait", iowait, "percent")],
            top);
    }
}
