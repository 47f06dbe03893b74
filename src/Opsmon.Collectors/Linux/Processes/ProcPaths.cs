namespace Opsmon.Collectors.Linux.Processes;

/// <summary>The per-process file paths, built once per pid rather than on every scan.</summary>
internal sealed class ProcPaths
{
    public ProcPaths(FsRoot root, int pid)
    {
        var dir = root.Proc(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Stat = Path.Join(dir, "stat");
        Status = Path.Join(dir, "status");
        Io = Path.Join(dir, "io");
        Cmdline = Path.Join(dir, "cmdline");
        Limits = Path.Join(dir, "limits");
        SmapsRollup = Path.Join(dir, "smaps_rollup");
        Fd = Path.Join(dir, "fd");
        Task = Path.Join(dir, "task");
        Cgroup = Path.Join(dir, "cgroup");
    }

    public string Stat { get; }

    public string Status { get; }

    public string Io { get; }

    public string Cmdline { get; }

    public string Limits { get; }

    public string SmapsRollup { get; }

    public string Fd { get; }

    public string Task { get; }

    public string Cgroup { get; }
}
