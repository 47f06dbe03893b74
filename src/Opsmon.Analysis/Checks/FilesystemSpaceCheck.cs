using Opsmon.Analysis.Forecast;

namespace Opsmon.Analysis.Checks;

/// <summary>Free space (available to unprivileged users) on each writable filesystem at the end of the window.</summary>
public sealed class FilesystemSpaceCheck : IDoctorCheck
{
    public string Name => "filesystem.space";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var sizes = context.Data.Series("node_filesystem_size_bytes")
            .GroupBy(static s => s["mountpoint"], StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First().Last, StringComparer.Ordinal);
        var t = context.Thresholds;
        foreach (var avail in Forecaster.Filesystems(context.Data))
        {
            var mountpoint = avail["mountpoint"];
            if (!sizes.TryGetValue(mountpoint, out var size) || size <= 0)
            {
                continue;
            }

            var percent = avail.Last / size * 100;
            var severity = Judge.Below(percent, t.FilesystemFreeWarningPercent, t.FilesystemFreeCriticalPercent);
            var top = severity == Severity.Ok ? [] : context.Consumers.Io();
            yield return Judge.Make(Name, severity, "filesystem:" + mountpoint,
                Judge.Bytes(avail.Last) + " (" + Judge.Num(percent) + "%) of " + Judge.Bytes(size) + " is free on " + mountpoint + ".",
                "Find what fills it (du -xh --max-depth=2 " + mountpoint + " | sort -h | tail), clean caches, logs and old data, or grow the filesystem.",
                [new Evidence("available", avail.Last, "bytes"), new Evidence("size", size, "bytes"), new Evidence("free_percent", percent, "percent")],
                top);
        }
    }
}
