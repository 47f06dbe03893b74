namespace Opsmon.Analysis.Checks;

/// <summary>Zombie processes: exited children their parent never reaped.</summary>
public sealed class ZombieProcessesCheck : IDoctorCheck
{
    public string Name => "process.zombies";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var groups = ProcessStates.Groups(context.Data, "Zombie");
        var total = ProcessStates.Total(context.Data, "Z", groups, static s => s.Last);
        if (double.IsNaN(total))
        {
            yield break;
        }

        var t = context.Thresholds;
        var severity = Judge.Above(total, t.ZombiesWarning, t.ZombiesCritical);
        yield return Judge.Make(Name, severity, "processes",
            Judge.Num(total, 0) + " zombie processes are waiting to be reaped" + Judge.Mostly(groups) + ".",
            "Zombies hold a pid each and point at a parent that does not wait() for its children: find it (ps -eo ppid,stat | awk '$2~/Z/') and restart or fix it.",
            [new Evidence("zombies", total, "count")],
            groups);
    }
}
