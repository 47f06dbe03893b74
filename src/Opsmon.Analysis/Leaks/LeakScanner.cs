using System.Collections.Immutable;
using System.Globalization;
using Opsmon.Analysis.Data;
using Opsmon.Analysis.Forecast;

namespace Opsmon.Analysis.Leaks;

/// <summary>Runs <see cref="LeakDetector"/> over every process's and cgroup's memory series in the window.</summary>
public static class LeakScanner
{
    // In order of preference: private memory shows a leak without the noise of shared pages.
    private static readonly ImmutableArray<(string Metric, string Kind)> ProcessMetrics =
    [
        ("opsmon_process_uss_bytes", "uss"),
        ("opsmon_process_pss_bytes", "pss"),
        ("opsmon_process_resident_memory_bytes", "rss"),
    ];

    // The GC heap accounts for the leak when it grows at least half as fast as the process's memory.
    private const double ManagedShare = 0.5;
    private const int MinHeapSamples = 5;

    public static LeakScan Scan(MetricReader data, long originMs, LeakThresholds thresholds)
    {
        var suspects = new List<LeakFinding>();
        var trends = new List<MemoryTrend>();
        var available = data.Last("node_memory_MemAvailable_bytes");

        // Private memory shows a leak without the noise of shared pages, but the collector may refresh
        // smaps_rollup (USS, PSS) far less often than RSS: a series that hardly moves while sampled is a stale
        // copy, not a flat one, so the most specific series that moves wins and a flat one is used only when none moves.
        var candidates = new Dictionary<int, List<(SeriesPoints Series, string Kind)>>();
        foreach (var (metric, kind) in ProcessMetrics)
        {
            foreach (var s in data.Series(metric))
            {
                if (s.Count < thresholds.MinSamples ||
                    !int.TryParse(s["pid"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                if (!candidates.TryGetValue(pid, out var list))
                {
                    list = [];
                    candidates[pid] = list;
                }

                list.Add((s, kind));
            }
        }

        var chosen = new Dictionary<int, (SeriesPoints Series, string Kind)>();
        foreach (var (pid, list) in candidates)
        {
            // Within a kind the longest series (a pid may have had two command lines); kinds in preference order.
            var ordered = list.OrderBy(static c => Preference(c.Kind))
                .ThenByDescending(static c => c.Series.Count)
                .ToList();
            chosen[pid] = ordered.FirstOrDefault(static c => Moves(c.Series), ordered[0]);
        }

        foreach (var (pid, (series, kind)) in chosen.OrderBy(static kv => kv.Key))
        {
            var assessment = LeakDetector.Assess(series.SecondsSince(originMs), series.Values, thresholds);
            trends.Add(new MemoryTrend("process", pid, series["name"], assessment.BytesPerSecond, assessment.IsLeak));
            if (assessment.IsLeak)
            {
                var finding = ToFinding("process", pid, series["name"], kind, series.Last, assessment, available, "MemAvailable");
                suspects.Add(WithManagedHeap(finding, data, pid, originMs));
            }
        }

        var limits = data.Series("opsmon_cgroup_memory_max_bytes")
            .GroupBy(static s => s["cgroup"], StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First().Last, StringComparer.Ordinal);
        foreach (var series in data.Series("opsmon_cgroup_memory_current_bytes"))
        {
            var cgroup = series["cgroup"];
            var assessment = LeakDetector.Assess(series.SecondsSince(originMs), series.Values, thresholds);
            trends.Add(new MemoryTrend("cgroup", null, cgroup, assessment.BytesPerSecond, assessment.IsLeak));
            if (!assessment.IsLeak)
            {
                continue;
            }

            var hasLimit = limits.TryGetValue(cgroup, out var max) && max > 0 && double.IsFinite(max);
            var headroom = hasLimit ? Math.Min(max - series.Last, double.IsNaN(available) ? double.MaxValue : available) : available;
            suspects.Add(ToFinding("cgroup", null, cgroup, "cgroup", series.Last, assessment, headroom, hasLimit ? "memory.max" : "MemAvailable"));
        }

        suspects.Sort(static (a, b) => b.BytesPerSecond.CompareTo(a.BytesPerSecond));
        return new LeakScan(suspects, trends);
    }

    /// <summary>
    /// For a .NET process whose GC heap was read (<see cref="ManagedHeapSampler"/>): the GC heap's growth, and whether
    /// it accounts for the leak (managed) or stayed flat while the process grew (native).
    /// </summary>
    private static LeakFinding WithManagedHeap(LeakFinding finding, MetricReader data, int pid, long originMs)
    {
        var heap = Growth(data, ManagedHeapSampler.GcHeapMetric, pid, originMs);
        if (heap is not { } managed)
        {
            return finding;
        }

        var gen2 = Growth(data, ManagedHeapSampler.Gen2Metric, pid, originMs);
        var kind = managed >= ManagedShare * finding.BytesPerSecond ? "managed" : "native";
        return finding with { Heap = kind, ManagedBytesPerSecond = managed, Gen2BytesPerSecond = gen2 };
    }

    /// <summary>Theil–Sen slope of one process's series of <paramref name="metric"/>; null with too few samples to say.</summary>
    private static double? Growth(MetricReader data, string metric, int pid, long originMs)
    {
        var text = pid.ToString(CultureInfo.InvariantCulture);
        var series = data.Series(metric).FirstOrDefault(s => s["pid"] == text);
        if (series is null || series.Count < MinHeapSamples)
        {
            return null;
        }

        var slope = RobustTrend.Fit(series.SecondsSince(originMs), series.Values)?.Slope;
        return slope is { } v && double.IsFinite(v) ? v : null;
    }

    private static int Preference(string kind) => kind switch
    {
        "uss" => 0,
        "pss" => 1,
        _ => 2,
    };

    /// <summary>True when the value changes between at least half of the consecutive samples.</summary>
    private static bool Moves(SeriesPoints series)
    {
        var changes = 0;
        var values = series.Values;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] != values[i - 1])
            {
                changes++;
            }
        }

        return changes * 2 >= values.Length - 1;
    }

    private static LeakFinding ToFinding(
        string kind, int? pid, string name, string metric, double current, LeakAssessment a, double headroom, string limit)
    {
        double? seconds = double.IsNaN(headroom) ? null : Math.Max(0, headroom) / a.BytesPerSecond;
        return new LeakFinding(kind, pid, name, metric, current, a.BytesPerSecond, a.BytesPerSecond * 3600 / 1e6,
            a.GrowingForSeconds, a.Confidence, a.PValue, seconds, limit);
    }
}
