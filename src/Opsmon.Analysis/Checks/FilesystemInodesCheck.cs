namespace Opsmon.Analysis.Checks;

/// <summary>Free inodes on each filesystem that has a fixed inode table.</summary>
public sealed class FilesystemInodesCheck : IDoctorCheck
{
    public string Name => "filesystem.inodes";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var free = context.Data.Series("node_filesystem_files_free")
            .GroupBy(static s => s["mountpoint"], StringComparer.Ordinal)
            .ToDictionary(static g => g.Key, static g => g.First().Last, StringComparer.Ordinal);
        var t = context.Thresholds;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var files in context.Data.Series("node_filesystem_files"))
        {
            var mountpoint = files["mountpoint"];
            // Filesystems that allocate inodes on demand (btrfs, xfs reports, tmpfs) report 0 total.
            if (files.Last <= 0 || !free.TryGetValue(mountpoint, out var available) || !seen.Add(mountpoint))
            {
                continue;
            }

            var percent = available / files.Last * 100;
            var severity = Judge.Below(percent, t.FilesystemInodesFreeWarningPercent, t.FilesystemInodesFreeCriticalPercent);
            if (severity == Severity.Ok)
            {
                continue;
            }

            yield return Judge.Make(Name, severity, "filesystem:" + mountpoint,
                "Only " + Judge.Num(available, 0) + " inodes (" + Judge.Num(percent) + "%) are free on " + mountpoint + "; creating files will fail before space runs out.",
                "Find directories with many small files (du --inodes -x " + mountpoint + " | sort -n | tail) and remove stale ones (caches, sessions, mail queues).",
                [new Evidence("inodes_free", available, "count"), new Evidence("inodes", files.Last, "count"), new Evidence("free_percent", percent, "percent")]);
        }
    }
}
