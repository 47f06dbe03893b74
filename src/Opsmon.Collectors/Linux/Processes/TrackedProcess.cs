using System.Globalization;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>
/// One process as the collector knows it, identified by (pid, start time) so a reused pid is a new process.
/// Holds what never changes (comm, argv, fd limit, group) so it is read once, the counters last seen (the
/// tracker baseline) and what the current scan read.
/// </summary>
internal sealed class TrackedProcess(int pid, ulong startTicks, string comm, ProcPaths paths, long firstScan)
{
    public int Pid { get; } = pid;

    public ulong StartTicks { get; } = startTicks;

    public string Comm { get; } = comm;

    public ProcPaths Paths { get; } = paths;

    /// <summary>The scan that first saw this process: on the first scan only later growth counts.</summary>
    public long FirstScan { get; } = firstScan;

    public long LastScan { get; set; }

    public string[]? Argv { get; set; }

    /// <summary>Grouping is decided once, when the process is first seen, as process-exporter does.</summary>
    public bool GroupDecided { get; set; }

    /// <summary>The group's name, null when no rule matched (and no tracked ancestor).</summary>
    public string? GroupName { get; set; }

    /// <summary>The group, set once the process was read in full (a process that vanishes first creates none).</summary>
    public ProcessGroup? Group { get; set; }

    /// <summary>0 until read; <see cref="ulong.MaxValue"/> for "unlimited".</summary>
    public ulong FdLimit { get; set; }

    public bool FdLimitRead { get; set; }

    public int EffectiveUid { get; set; } = -1;

    /// <summary>Counters at the previous tracked update; null until the first one.</summary>
    public ProcessCounters? Baseline { get; set; }

    /// <summary>utime+stime at the previous scan, for the CPU ranking of the top processes.</summary>
    public ulong PreviousCpuTicks { get; set; }

    public long PreviousCpuScan { get; set; }

    // What this scan read.
    public ProcStat Stat { get; set; }

    public long DetailsScan { get; set; }

    public ProcStatus Status { get; set; }

    public bool HasIo { get; set; }

    public ProcIo Io { get; set; }

    /// <summary>-1 when /proc/PID/fd could not be listed.</summary>
    public int OpenFds { get; set; } = -1;

    public bool HasSmaps { get; set; }

    public SmapsRollup Smaps { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the last smaps_rollup read (or failed read); null before the first.</summary>
    public long? SmapsReadAt { get; set; }

    /// <summary>States of the threads this scan (Running, Sleeping, Waiting, Zombie, Other), when they were read.</summary>
    public int[]? ThreadStates { get; set; }

    public bool HasThreadStates { get; set; }

    /// <summary>CPU ticks used since the previous scan (all of them on the first): the CPU ranking key.</summary>
    public ulong RecentCpuTicks { get; set; }

    /// <summary>Resident pages at the previous scan, for the memory-growth ranking.</summary>
    public ulong PreviousResidentPages { get; set; }

    /// <summary>
    /// Resident pages gained per scan, exponentially smoothed: the memory-growth ranking key. Smoothing lets a
    /// steady leak outrank a garbage-collected heap whose single scrapes jump up and down.
    /// </summary>
    public double ResidentGrowthPages { get; set; }

    /// <summary>Bytes read plus written since the previous scan (0 on the first): the I/O ranking key.</summary>
    public ulong RecentIoBytes { get; set; }

    /// <summary>Read plus write bytes at the previous scan that read /proc/PID/io, and that scan.</summary>
    public ulong PreviousIoBytes { get; set; }

    public long PreviousIoScan { get; set; }

    /// <summary>The cgroup v2 path from /proc/PID/cgroup ("0::PATH"), as the cgroup collector labels it; null when unknown.</summary>
    public string? Cgroup { get; set; }

    /// <summary>The raw PATH bytes <see cref="Cgroup"/> was decoded from, so an unchanged line costs no new string.</summary>
    public byte[]? CgroupBytes { get; set; }

    public bool Selected { get; set; }

    private string[]? _labels;
    private string[]? _labelsUser;
    private string[]? _labelsSystem;
    private string[]? _labelsCgroup;

    public ProcessCounters Counters => new(
        Stat.UserTicks,
        Stat.SystemTicks,
        Stat.MinorFaults,
        Stat.MajorFaults,
        Io.ReadBytes,
        Io.WriteBytes,
        Status.VoluntaryCtxSwitches,
        Status.NonvoluntaryCtxSwitches);

    /// <summary>{pid, name, cmdline} label values, built once per process.</summary>
    public string[] Labels => _labels ??= [
        Pid.ToString(CultureInfo.InvariantCulture),
        Cmdline.Sanitize(Comm),
        Cmdline.ToLabel(Argv ?? [], Comm),
    ];

    public string[] LabelsUser => _labelsUser ??= [.. Labels, "user"];

    public string[] LabelsSystem => _labelsSystem ??= [.. Labels, "system"];

    /// <summary>{pid, name, cmdline, cgroup}, rebuilt only when the process moved to another cgroup.</summary>
    public string[] LabelsCgroup =>
        _labelsCgroup is { } labels && ReferenceEquals(labels[3], Cgroup) ? labels : _labelsCgroup = [.. Labels, Cgroup ?? string.Empty];
}
