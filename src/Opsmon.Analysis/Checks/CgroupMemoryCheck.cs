namespace Opsmon.Analysis.Checks;

/// <summary>cgroups close to their memory.max, where the kernel reclaims and then OOM-kills inside the group.</summary>
public sealed class CgroupMemoryCheck : IDoctorCheck
{
    public string Name => "cgroup.memory";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var limits = context.Data.Series("opsmon_cgroup_memory_max_bytes")
            .Where(static s => s.Last > 0 && double.IsFinite(s.Last))
            .GroupBy(static s => s["cgroup"], StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First().Last, StringComparer.Ordinal);
        var t = context.Thresholds;
        foreach (var s in context.Data.Series("opsmon_cgroup_memory_current_bytes"))
        {
            if (!limits.TryGetValue(s["cgroup"], out var max))
            {
                continue;
            }

            var percent = s.Last / max * 100;
            var severity = Judge.Above(percent, t.CgroupMemoryWarningPercent, t.CgroupMemoryCriticalPercent);
            if (severity == Severity.Ok)
            {
                continue;
            }

            yield return Judge.Make(Name, severity, "cgroup:" + s["cgroup"],
                "The cgroup " + s["cgroup"] + " uses " + Judge.Num(percent) + "% of its memory.max (" + Judge.Bytes(s.Last) + " of " + Judge.Bytes(max) + ").",
                "Raise its memory.max (or the container's memory limit) or reduce what runs in it before the kernel OOM-kills inside it.",
                [new Evidence("current", s.Last, "bytes"), new Evidence("max", max, "bytes"), new Evidence("used_percent", percent, "percent")],
                cgroups: [new CgroupUsage(s["cgroup"], s.Last, "bytes")]);
        }
    }
}
