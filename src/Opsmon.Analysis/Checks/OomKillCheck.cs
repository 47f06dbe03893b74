namespace Opsmon.Analysis.Checks;

/// <summary>OOM kills during the window (critical) and since boot (reported as a figure), plus cgroup oom_kill events.</summary>
public sealed class OomKillCheck : IDoctorCheck
{
    public string Name => "memory.oom_kill";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var series = context.Data.Single("node_vmstat_oom_kill");
        var cgroupKills = context.Data.Series("opsmon_cgroup_memory_events_total")
            .Where(static s => s["event"] is "oom_kill")
            .Select(static s => new CgroupUsage(s["cgroup"], s.Increase(), "count"))
            .Where(static c => c.Value > 0)
            .OrderByDescending(static c => c.Value)
            .ToList();
        if (series is null && cgroupKills.Count == 0)
        {
            yield break;
        }

        var recent = series?.Increase() ?? 0;
        recent = Math.Max(recent, cgroupKills.Sum(static c => c.Value));
        var sinceBoot = series?.Last ?? double.NaN;
        var severity = recent > 0 ? Severity.Critical : Severity.Ok;
        var evidence = new List<Evidence> { new("oom_kills_in_window", recent, "count") };
        if (!double.IsNaN(sinceBoot))
        {
            evidence.Add(new Evidence("oom_kills_since_boot", sinceBoot, "count"));
        }

        var top = severity == Severity.Ok ? [] : context.Consumers.Memory();
        yield return Judge.Make(Name, severity, "memory",
            severity == Severity.Ok
                ? "No process was killed for lack of memory in the window (" + Judge.Num(double.IsNaN(sinceBoot) ? 0 : sinceBoot, 0) + " since boot)."
                : "The kernel killed " + Judge.Num(recent, 0) + " process(es) for lack of memory in the window" +
                  (cgroupKills.Count > 0 ? " (in " + cgroupKills[0].Cgroup + ")" : string.Empty) + ".",
            "Check the kernel log (journalctl -k | grep -i oom) for the victim, then cap or fix " +
            (top.Count > 0 ? Judge.Culprit(top) : "the largest process") + " or raise the cgroup's memory.max.",
            evidence,
            top,
            cgroupKills);
    }
}
