namespace Opsmon.Analysis.Checks;

/// <summary>System-wide file handles allocated against fs.file-max, attributed to the processes holding most.</summary>
public sealed class FileDescriptorsCheck : IDoctorCheck
{
    public string Name => "fd.system";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var allocated = context.Data.Last("node_filefd_allocated");
        var maximum = context.Data.Last("node_filefd_maximum");
        if (double.IsNaN(allocated) || !(maximum > 0))
        {
            yield break;
        }

        var percent = allocated / maximum * 100;
        var t = context.Thresholds;
        var severity = Judge.Above(percent, t.FdUsageWarningPercent, t.FdUsageCriticalPercent);
        var top = severity == Severity.Ok ? [] : context.Consumers.OpenFds();
        yield return Judge.Make(Name, severity, "fd",
            Judge.Num(allocated, 0) + " of " + Judge.Num(maximum, 0) + " system file handles (" + Judge.Num(percent) + "%) are in use" + Judge.Mostly(top) + ".",
            "Look for a descriptor leak in " + (top.Count > 0 ? Judge.Culprit(top) : "the process holding most") + " (ls /proc/PID/fd | wc -l over time) or raise fs.file-max.",
            [new Evidence("allocated", allocated, "count"), new Evidence("maximum", maximum, "count"), new Evidence("used_percent", percent, "percent")],
            top);
    }
}
