using System.Globalization;

namespace Opsmon.Analysis.Data;

/// <summary>
/// Who uses a resource in the window: Opsmon's per-process top-N series when present, else
/// process-exporter's name groups; cgroups from Opsmon's cgroup series. Lists are largest first.
/// </summary>
public sealed class Consumers
{
    private readonly MetricReader _data;
    private readonly int _top;

    public Consumers(MetricReader data, int top)
    {
        _data = data;
        _top = top;
    }

    /// <summary>CPU used, in cores (1 = one CPU busy for the whole window).</summary>
    public IReadOnlyList<ProcessUsage> Cpu() =>
        ByProcess("opsmon_process_cpu_seconds_total", static s => s.Rate(), "namedprocess_namegroup_cpu_seconds_total", "cores");

    /// <summary>Resident memory at the end of the window.</summary>
    public IReadOnlyList<ProcessUsage> Memory() =>
        ByProcess("opsmon_process_resident_memory_bytes", static s => s.Last, "namedprocess_namegroup_memory_bytes", "bytes",
            static s => s["memtype"] is "" or "resident");

    public IReadOnlyList<ProcessUsage> Swap() =>
        ByProcess("opsmon_process_swap_bytes", static s => s.Last, "namedprocess_namegroup_memory_bytes", "bytes",
            static s => s["memtype"] is "" or "swapped");

    /// <summary>Bytes read plus written per second.</summary>
    public IReadOnlyList<ProcessUsage> Io()
    {
        var opsmon = Sum(ByPid("opsmon_process_read_bytes_total", static s => s.Rate()),
            ByPid("opsmon_process_write_bytes_total", static s => s.Rate()));
        if (opsmon.Count > 0)
        {
            return Top(opsmon, "bytes/s");
        }

        return Top(Sum(ByGroup("namedprocess_namegroup_read_bytes_total", static s => s.Rate()),
            ByGroup("namedprocess_namegroup_write_bytes_total", static s => s.Rate())), "bytes/s");
    }

    public IReadOnlyList<ProcessUsage> OpenFds() =>
        ByProcess("opsmon_process_open_fds", static s => s.Last, "namedprocess_namegroup_open_filedesc", "count");

    public IReadOnlyList<ProcessUsage> Threads() =>
        ByProcess("opsmon_process_threads", static s => s.Last, "namedprocess_namegroup_num_threads", "count");

    /// <summary>Throttled seconds per second per cgroup.</summary>
    public IReadOnlyList<CgroupUsage> CgroupThrottled() => ByCgroup("opsmon_cgroup_cpu_throttled_seconds_total", static s => s.Rate(), "ratio");

    /// <summary>Memory charged to each leaf cgroup at the end of the window.</summary>
    public IReadOnlyList<CgroupUsage> CgroupMemory() => ByCgroup("opsmon_cgroup_memory_current_bytes", static s => s.Last, "bytes", leavesOnly: true);

    /// <summary>CPU used by each leaf cgroup, in cores.</summary>
    public IReadOnlyList<CgroupUsage> CgroupCpu() => ByCgroup("opsmon_cgroup_cpu_usage_seconds_total", static s => s.Rate(), "cores", leavesOnly: true);

    /// <summary>
    /// The top processes in <paramref name="cgroup"/> or below it (their opsmon_process_cgroup_info path), ranked by
    /// what matters for <paramref name="resource"/>: resident memory for "memory", bytes read plus written per second
    /// for "io", CPU cores otherwise. Members that used none of it in the window are listed by resident memory, so the
    /// group's processes are named even when, stalled, they did little. Empty without the cgroup link.
    /// </summary>
    public IReadOnlyList<ProcessUsage> InCgroup(string cgroup, string resource)
    {
        var members = new HashSet<int>();
        foreach (var s in _data.Series("opsmon_process_cgroup_info"))
        {
            var path = s["cgroup"];
            if ((path == cgroup || IsAncestor(cgroup, path)) &&
                int.TryParse(s["pid"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                members.Add(pid);
            }
        }

        if (members.Count == 0)
        {
            return [];
        }

        var (usage, unit) = resource switch
        {
            "memory" => (ByPid("opsmon_process_resident_memory_bytes", static s => s.Last), "bytes"),
            "io" => (Sum(ByPid("opsmon_process_read_bytes_total", static s => s.Rate()), ByPid("opsmon_process_write_bytes_total", static s => s.Rate())), "bytes/s"),
            _ => (ByPid("opsmon_process_cpu_seconds_total", static s => s.Rate()), "cores"),
        };
        var inside = Top(Members(usage, members), unit);
        return inside.Count > 0 || resource == "memory"
            ? inside
            : Top(Members(ByPid("opsmon_process_resident_memory_bytes", static s => s.Last), members), "bytes");
    }

    private static Dictionary<(int? Pid, string Name), double> Members(Dictionary<(int? Pid, string Name), double> usage, HashSet<int> pids) =>
        usage.Where(kv => kv.Key.Pid is { } pid && pids.Contains(pid)).ToDictionary();

    private IReadOnlyList<ProcessUsage> ByProcess(
        string opsmonMetric, Func<SeriesPoints, double> measure, string groupMetric, string unit, Func<SeriesPoints, bool>? groupFilter = null)
    {
        var byPid = ByPid(opsmonMetric, measure);
        return byPid.Count > 0 ? Top(byPid, unit) : Top(ByGroup(groupMetric, measure, groupFilter), unit);
    }

    /// <remarks>
    /// cgroup v2 charges usage to every ancestor too, so for usage only leaves are ranked: otherwise the root and
    /// the slices would always head the list and name nobody.
    /// </remarks>
    private IReadOnlyList<CgroupUsage> ByCgroup(string metric, Func<SeriesPoints, double> measure, string unit, bool leavesOnly = false)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in _data.Series(metric))
        {
            var v = measure(s);
            if (!double.IsNaN(v))
            {
                sums[s["cgroup"]] = sums.GetValueOrDefault(s["cgroup"]) + v;
            }
        }

        var paths = sums.Keys.ToList();
        return [.. sums.Where(static kv => kv.Value > 0)
            .Where(kv => !leavesOnly || !paths.Exists(p => IsAncestor(kv.Key, p)))
            .OrderByDescending(static kv => kv.Value).ThenBy(static kv => kv.Key, StringComparer.Ordinal)
            .Take(_top)
            .Select(kv => new CgroupUsage(kv.Key, kv.Value, unit))];
    }

    /// <summary>Sums a measure over every series of a process (e.g. the user and system modes of CPU time).</summary>
    private Dictionary<(int? Pid, string Name), double> ByPid(string metric, Func<SeriesPoints, double> measure)
    {
        var sums = new Dictionary<(int? Pid, string Name), double>();
        foreach (var s in _data.Series(metric))
        {
            if (!int.TryParse(s["pid"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var v = measure(s);
            if (!double.IsNaN(v))
            {
                var key = ((int?)pid, s["name"]);
                sums[key] = sums.GetValueOrDefault(key) + v;
            }
        }

        return sums;
    }

    private Dictionary<(int? Pid, string Name), double> ByGroup(string metric, Func<SeriesPoints, double> measure, Func<SeriesPoints, bool>? filter = null)
    {
        var sums = new Dictionary<(int? Pid, string Name), double>();
        foreach (var s in _data.Series(metric))
        {
            if (filter is not null && !filter(s))
            {
                continue;
            }

            var v = measure(s);
            if (!double.IsNaN(v))
            {
                var key = ((int?)null, s["groupname"]);
                sums[key] = sums.GetValueOrDefault(key) + v;
            }
        }

        return sums;
    }

    private static bool IsAncestor(string ancestor, string path) =>
        path.Length > ancestor.Length &&
        path.StartsWith(ancestor, StringComparison.Ordinal) &&
        (ancestor.EndsWith('/') || path[ancestor.Length] == '/');

    private static Dictionary<(int? Pid, string Name), double> Sum(
        Dictionary<(int? Pid, string Name), double> a, Dictionary<(int? Pid, string Name), double> b)
    {
        foreach (var (key, value) in b)
        {
            a[key] = a.GetValueOrDefault(key) + value;
        }

        return a;
    }

    private IReadOnlyList<ProcessUsage> Top(Dictionary<(int? Pid, string Name), double> sums, string unit) =>
        [.. sums.Where(static kv => kv.Value > 0)
            .OrderByDescending(static kv => kv.Value).ThenBy(static kv => kv.Key.Pid ?? 0)
            .Take(_top)
            .Select(kv => new ProcessUsage(kv.Key.Pid, kv.Key.Name, kv.Value, unit))];
}
