using System.Globalization;
using Opsmon.Core.Series;

namespace Opsmon.Analysis;

/// <summary>One derived gauge sample: metric name, labels (without <c>__name__</c>), value.</summary>
public sealed record DerivedSample(string Name, Labels Labels, double Value);

/// <summary>
/// The analysis results as gauges for <c>opsmon run</c> to publish, so rules can act on them. A resource that
/// is not being used up reports +Inf seconds.
/// </summary>
public static class DerivedMetrics
{
    public const string FilesystemFullSeconds = "opsmon_filesystem_full_seconds";
    public const string MemoryExhaustedSeconds = "opsmon_memory_exhausted_seconds";
    public const string ProcessMemoryGrowth = "opsmon_process_memory_growth_bytes_per_second";
    public const string MemoryLeakSuspect = "opsmon_memory_leak_suspect";
    public const string CgroupMemoryGrowth = "opsmon_cgroup_memory_growth_bytes_per_second";
    public const string CgroupMemoryLeakSuspect = "opsmon_cgroup_memory_leak_suspect";

    internal static IReadOnlyList<DerivedSample> From(AnalysisContext context)
    {
        var samples = new List<DerivedSample>();
        foreach (var f in context.Forecasts)
        {
            var seconds = f.SecondsUntilExhausted ?? double.PositiveInfinity;
            samples.Add(f.Mountpoint is { } mountpoint
                ? new DerivedSample(FilesystemFullSeconds, Labels.From(("mountpoint", mountpoint)), seconds)
                : new DerivedSample(MemoryExhaustedSeconds, Labels.Empty, seconds));
        }

        foreach (var t in context.Leaks.Trends)
        {
            if (double.IsNaN(t.BytesPerSecond))
            {
                continue;
            }

            if (t.Pid is { } pid)
            {
                var labels = Labels.From(("pid", pid.ToString(CultureInfo.InvariantCulture)), ("name", t.Name));
                samples.Add(new DerivedSample(ProcessMemoryGrowth, labels, t.BytesPerSecond));
                samples.Add(new DerivedSample(MemoryLeakSuspect, labels, t.Suspect ? 1 : 0));
            }
            else
            {
                var labels = Labels.From(("cgroup", t.Name));
                samples.Add(new DerivedSample(CgroupMemoryGrowth, labels, t.BytesPerSecond));
                samples.Add(new DerivedSample(CgroupMemoryLeakSuspect, labels, t.Suspect ? 1 : 0));
            }
        }

        return samples;
    }
}
