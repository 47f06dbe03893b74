namespace Opsmon.Analysis.Checks;

/// <summary>
/// Pressure stall information per cgroup (cpu.pressure, memory.pressure, io.pressure): a group held back by its
/// own limits (memory.high or memory.max reclaim, io.max or blkio throttling, cpu.max) stalls while the machine
/// as a whole looks fine. Judged with the machine's pressure thresholds of the same resource; only the deepest
/// group over them is reported, since a parent's pressure includes its children's. The processes named are the
/// group's members among the top processes (opsmon_process_cgroup_info), ranked by their use of the resource.
/// </summary>
public sealed class CgroupPressureCheck : IDoctorCheck
{
    public string Name => "cgroup.pressure";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        var over = new List<(string Cgroup, string Resource, double Some, Severity Severity)>();
        foreach (var s in context.Data.Series("opsmon_cgroup_pressure_waiting_seconds_total"))
        {
            var cgroup = s["cgroup"];
            var resource = s["resource"];

            // The root's pressure is the machine's, which cpu.pressure, memory.pressure and io.pressure report.
            if (cgroup is "/" or "")
            {
                continue;
            }

            var some = s.Rate() * 100;
            var severity = resource switch
            {
                "cpu" => Judge.Above(some, t.CpuPressureWarningPercent, t.CpuPressureCriticalPercent),
                "memory" => Judge.Above(some, t.MemoryPressureWarningPercent, t.MemoryPressureCriticalPercent),
                "io" => Judge.Above(some, t.IoPressureWarningPercent, t.IoPressureCriticalPercent),
                _ => Severity.Ok,
            };
            if (severity != Severity.Ok)
            {
                over.Add((cgroup, resource, some, severity));
            }
        }

        foreach (var (cgroup, resource, some, severity) in over)
        {
            if (over.Exists(o => o.Resource == resource && IsAncestor(cgroup, o.Cgroup)))
            {
                continue;
            }

            var evidence = new List<Evidence> { new("some", some, "percent") };
            var full = Rate(context, "opsmon_cgroup_pressure_stalled_seconds_total", cgroup, "resource", resource);
            if (!double.IsNaN(full))
            {
                evidence.Add(new Evidence("full", full * 100, "percent"));
            }

            var cause = string.Empty;
            if (resource == "memory")
            {
                var high = Increase(context, cgroup, "high");
                var max = Increase(context, cgroup, "max");
                if (!double.IsNaN(high))
                {
                    evidence.Add(new Evidence("memory_high_events", high, "count"));
                }

                if (!double.IsNaN(max))
                {
                    evidence.Add(new Evidence("memory_max_events", max, "count"));
                }

                cause = high > 0 ? " while it was held at its memory.high (" + Judge.Num(high, 0) + " times)"
                    : max > 0 ? " while it was at its memory.max (" + Judge.Num(max, 0) + " times)" : string.Empty;
            }

            var members = context.Consumers.InCgroup(cgroup, resource);

            // One id per resource, as the machine's checks have, so that id and resource identify a finding.
            yield return Judge.Make("cgroup." + resource + ".pressure", severity, "cgroup:" + cgroup,
                "Tasks of the cgroup " + cgroup + " stalled on " + resource + " " + Judge.Num(some) + "% of the time" + cause +
                (members.Count > 0 ? "; its top process is " + Judge.Culprit(members) : string.Empty) + ".",
                resource switch
                {
                    "memory" => "The group is reclaiming to stay within its memory limit (memory.high, memory.max): raise the limit or reduce what runs in " + cgroup + ".",
                    "io" => "The group waits for block I/O, often its own io.max (or blkio) throttle: raise the limit, or move the I/O of " + cgroup + " to faster storage.",
                    _ => "The group's tasks wait for a CPU, often under its cpu.max quota: raise the quota or run fewer threads in " + cgroup + ".",
                },
                evidence,
                members,
                [new CgroupUsage(cgroup, some, "percent")]);
        }
    }

    private static double Rate(AnalysisContext context, string metric, string cgroup, string label, string value)
    {
        var series = context.Data.Series(metric).FirstOrDefault(s => s["cgroup"] == cgroup && s[label] == value);
        return series?.Rate() ?? double.NaN;
    }

    private static double Increase(AnalysisContext context, string cgroup, string evt)
    {
        var series = context.Data.Series("opsmon_cgroup_memory_events_total").FirstOrDefault(s => s["cgroup"] == cgroup && s["event"] == evt);
        return series?.Increase() ?? double.NaN;
    }

    private static bool IsAncestor(string ancestor, string path) =>
        path.Length > ancestor.Length &&
        path.StartsWith(ancestor, StringComparison.Ordinal) &&
        (ancestor.EndsWith('/') || path[ancestor.Length] == '/');
}
