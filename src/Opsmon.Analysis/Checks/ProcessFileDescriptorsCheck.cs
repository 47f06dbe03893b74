using System.Globalization;

namespace Opsmon.Analysis.Checks;

/// <summary>
/// Processes close to their own open-files limit (RLIMIT_NOFILE): opsmon_process_open_fds against
/// opsmon_process_max_fds, else process-exporter's namedprocess_namegroup_worst_fd_ratio.
/// </summary>
public sealed class ProcessFileDescriptorsCheck : IDoctorCheck
{
    public string Name => "fd.process";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        var limits = context.Data.Series("opsmon_process_max_fds")
            .GroupBy(static s => s["pid"], StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First().Last, StringComparer.Ordinal);
        foreach (var s in context.Data.Series("opsmon_process_open_fds"))
        {
            if (!limits.TryGetValue(s["pid"], out var limit) || !(limit > 0) ||
                !int.TryParse(s["pid"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var finding = Assess(t, pid, s["name"], s.Last / limit, s.Last, limit);
            if (finding is not null)
            {
                yield return finding;
            }
        }

        foreach (var s in context.Data.Series("namedprocess_namegroup_worst_fd_ratio"))
        {
            var finding = Assess(t, null, s["groupname"], s.Last, double.NaN, double.NaN);
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }

    private Finding? Assess(Thresholds t, int? pid, string name, double ratio, double open, double limit)
    {
        var percent = ratio * 100;
        var severity = Judge.Above(percent, t.FdUsageWarningPercent, t.FdUsageCriticalPercent);
        if (severity == Severity.Ok)
        {
            return null;
        }

        var who = pid is { } p ? name + " (pid " + p.ToString(CultureInfo.InvariantCulture) + ")" : name;
        var evidence = new List<Evidence> { new("used_percent", percent, "percent") };
        if (!double.IsNaN(open))
        {
            evidence.Add(new Evidence("open_fds", open, "count"));
            evidence.Add(new Evidence("max_fds", limit, "count"));
        }

        return Judge.Make(Name, severity, pid is { } id ? "process:" + id.ToString(CultureInfo.InvariantCulture) : "group:" + name,
            who + " uses " + Judge.Num(percent) + "% of its open-files limit; at the limit it fails with \"Too many open files\".",
            "Check " + who + " for a descriptor leak (ls -l /proc/PID/fd) or raise its limit (LimitNOFILE= in its systemd unit, ulimit -n).",
            evidence,
            [new ProcessUsage(pid, name, double.IsNaN(open) ? percent : open, double.IsNaN(open) ? "percent" : "count")]);
    }
}
