using System.Collections.Frozen;
using Opsmon.Analysis.Data;

namespace Opsmon.Analysis.Forecast;

/// <summary>Time-to-exhaustion forecasts for filesystems and memory from the window's history.</summary>
public static class Forecaster
{
    // Pseudo and read-only-by-design filesystems never fill up in a way an operator can act on.
    private static readonly FrozenSet<string> IgnoredFsTypes = new[]
    {
        "squashfs", "iso9660", "nsfs", "proc", "sysfs", "devtmpfs", "cgroup", "cgroup2", "overlay", "autofs", "fuse.snapfuse",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Forecasts for every writable, real filesystem (by node_filesystem_avail_bytes), then memory (MemAvailable).</summary>
    public static IReadOnlyList<ResourceForecast> All(MetricReader data, long originMs)
    {
        var result = new List<ResourceForecast>();
        foreach (var fs in Filesystems(data))
        {
            var forecast = Exhaustion("filesystem:" + fs["mountpoint"], fs["mountpoint"], fs, originMs);
            if (forecast is not null)
            {
                result.Add(forecast);
            }
        }

        var memory = data.Single("node_memory_MemAvailable_bytes");
        if (memory is not null)
        {
            var forecast = Exhaustion("memory", null, memory, originMs);
            if (forecast is not null)
            {
                result.Add(forecast);
            }
        }

        return result;
    }

    /// <summary>The avail-bytes series of filesystems worth watching, one per mount point.</summary>
    public static IEnumerable<SeriesPoints> Filesystems(MetricReader data)
    {
        var readOnly = data.Series("node_filesystem_readonly")
            .Where(static s => s.Last >= 1)
            .Select(static s => s["mountpoint"])
            .ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in data.Series("node_filesystem_avail_bytes"))
        {
            var mountpoint = s["mountpoint"];
            if (IgnoredFsTypes.Contains(s["fstype"]) || readOnly.Contains(mountpoint) || !seen.Add(mountpoint))
            {
                continue;
            }

            yield return s;
        }
    }

    /// <summary>A forecast of when <paramref name="available"/> reaches zero; null with too little history.</summary>
    public static ResourceForecast? Exhaustion(string resource, string? mountpoint, SeriesPoints available, long originMs)
    {
        var fit = RobustTrend.Fit(available.SecondsSince(originMs), available.Values);
        if (fit is not { } f || double.IsNaN(f.Slope))
        {
            return null;
        }

        var consumption = -f.Slope;
        var now = Math.Max(0, available.Last);
        double? seconds = consumption > 0 ? now / consumption : null;
        var confidence = seconds is { } s ? RobustTrend.Confidence(f.PValue, f.SpanSeconds, s) : 1 - f.PValue;
        return new ResourceForecast(resource, mountpoint, now, consumption, seconds, confidence);
    }
}
