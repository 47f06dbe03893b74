namespace Opsmon.Analysis.Checks;

/// <summary>Tasks in uninterruptible sleep (D state), usually stuck on slow or hung storage or NFS.</summary>
public sealed class BlockedProcessesCheck : IDoctorCheck
{
    public string Name => "process.blocked";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var groups = ProcessStates.Groups(context.Data, "Waiting");
        var blocked = context.Data.Mean("node_procs_blocked");
        if (double.IsNaN(blocked))
        {
            blocked = ProcessStates.Total(context.Data, "D", groups, static s => s.Mean());
        }

        if (double.IsNaN(blocked))
        {
            yield break;
        }

        var t = context.Thresholds;
        var severity = Judge.Above(blocked, t.BlockedWarning, t.BlockedCritical);
        var top = severity == Severity.Ok ? [] : groups.Count > 0 ? groups : context.Consumers.Io();
        yield return Judge.Make(Name, severity, "processes",
            Judge.Num(blocked) + " tasks were in uninterruptible sleep (D state) on average" + Judge.Mostly(top) + ".",
            "They wait on I/O that does not complete: check the disk findings, hung NFS mounts and the kernel log for 'blocked for more than' messages.",
            [new Evidence("blocked", blocked, "count")],
            top);
    }
}
