using System.Globalization;
using Opsmon.Collectors.Linux.Processes;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// One scan of /proc per scrape, producing (a) process-exporter's namedprocess_namegroup_* families for the
/// groups of <see cref="CollectorOptions.ProcessGroups"/> (by comm when there are none), with its tracker
/// semantics: counters count only what happens after a process is first seen (all of it for processes that
/// start later) and never decrease when members exit; states and context switches include the threads, as
/// with its default -threads; untracked children join their parent's group (-children); and (b) opsmon_process_* series for the top N
/// processes by resident memory, by recent CPU, by recent memory growth and by recent I/O bytes, so cardinality stays bounded
/// by 4N, each with an opsmon_process_cgroup_info series naming its cgroup v2 path. The growth ranking is what lets the leak
/// detector follow a small leaking process from its start, long before it is among the largest; the cgroup link lets the
/// doctor name the processes behind a cgroup's pressure.
/// https://github.com/ncabatoff/process-exporter (proc/tracker.go, proc/grouper.go)
/// </summary>
public sealed class ProcessCollector : ICollector
{
    // procfs reports times in USER_HZ, which is 100 on every Linux ABI (prometheus/procfs does the same).
    private const double TicksPerSecond = 100;
    private const string Group = "groupname";

    // Bounds the ancestry walk of -children: real trees are far shallower, a corrupt tree must not recurse forever.
    private const int MaxAncestry = 1024;

    // Weight of the newest scrape in the smoothed growth: about the last three scrapes count.
    private const double GrowthSmoothing = 0.3;

    // "/" + a tid (at most 10 digits) + "/status".
    private const int ThreadStatusSuffix = 1 + 10 + 7;

    private readonly CollectorContext _context;
    private readonly CollectorOptions _options;
    private readonly ProcessGrouping _grouping;
    private readonly UserNames _users;
    private readonly ProcFile _file = new(8192);
    private readonly FdCounter _fds;
    private readonly string _procDir;
    private readonly ulong _pageSize = (ulong)Environment.SystemPageSize;
    private readonly Dictionary<int, TrackedProcess> _byPid = [];
    private readonly Dictionary<string, ProcessGroup> _groups = new(StringComparer.Ordinal);
    private readonly List<ProcessGroup> _sortedGroups = [];
    private readonly List<int> _pids = [];
    private readonly List<int> _tids = [];
    private readonly List<TrackedProcess> _live = [];
    private readonly List<TrackedProcess> _unmatchedNew = [];
    private readonly List<TrackedProcess> _selected = [];
    private TrackedProcess[] _ranking = [];
    private long _scan;
    private double? _bootTime;

    public ProcessCollector(CollectorContext context)
    {
        _context = context;
        _options = context.Options;
        _grouping = new ProcessGrouping(_options.ProcessGroups);
        _users = new UserNames(context.Root);
        _procDir = context.Root.Proc(string.Empty);
        _fds = new FdCounter(FdCounter.IsProcfs(_procDir));
    }

    public string Name => "processes";

    /// <summary>
    /// What is wrong with grouping rules, one message per bad rule naming its index (an unsupported template
    /// action, a bad regex; RE2's (?P&lt;name&gt;...) is accepted), for configuration validation at start.
    /// </summary>
    public static IReadOnlyList<string> ValidateGroupRules(IReadOnlyList<ProcessGroupRule> rules)
    {
        var problems = new List<string>();
        for (var i = 0; i < rules.Count; i++)
        {
            try
            {
                ProcessGrouping.Validate(rules[i], i);
            }
            catch (ArgumentException e)
            {
                problems.Add(e.Message);
            }
        }

        return problems;
    }

    public void Update(MetricSink sink)
    {
        var bootTime = BootTime();
        _pids.Clear();
        try
        {
            ProcDirectory.ListPids(_procDir, _pids);
        }
        catch (DirectoryNotFoundException)
        {
            throw new NoDataException($"{_procDir} does not exist");
        }

        // Counted only once /proc was listed: scan 1 is the one whose processes count growth only.
        _scan++;

        ReadStats();
        DecideGroups();
        UpdateGroups();
        WriteGroups(sink);
        if (_options.TopProcesses > 0)
        {
            SelectTop(_options.TopProcesses);
            WriteTop(sink, bootTime);
        }
    }

    private double BootTime()
    {
        if (_bootTime is { } known)
        {
            return known;
        }

        var path = _context.Root.Proc("stat");
        if (!_file.TryRead(path, out var content))
        {
            throw new NoDataException($"{path} is not readable");
        }

        if (!SystemStat.TryParseBootTime(content, out var bootTime))
        {
            throw new FormatException($"{path}: no btime line");
        }

        _bootTime = bootTime;
        return bootTime;
    }

    /// <summary>Reads /proc/PID/stat of every pid; a pid whose start time changed is a new process.</summary>
    private void ReadStats()
    {
        _live.Clear();
        foreach (var pid in _pids)
        {
            _byPid.TryGetValue(pid, out var p);
            var paths = p?.Paths ?? new ProcPaths(_context.Root, pid);
            if (!_file.TryRead(paths.Stat, out var content) || !ProcStat.TryParse(content, out var stat, out var comm))
            {
                continue;
            }

            if (p is null || p.StartTicks != stat.StartTicks)
            {
                p = new TrackedProcess(pid, stat.StartTicks, Span.ToText(comm), paths, _scan);
                _byPid[pid] = p;
            }

            var cpu = stat.UserTicks + stat.SystemTicks;
            p.RecentCpuTicks = p.PreviousCpuScan == _scan - 1 && cpu >= p.PreviousCpuTicks ? cpu - p.PreviousCpuTicks : cpu;
            p.PreviousCpuTicks = cpu;
            p.PreviousCpuScan = _scan;

            // A process first seen now has no growth yet: its whole RSS is not an increase.
            if (p.FirstScan != _scan)
            {
                var delta = (double)stat.ResidentPages - p.PreviousResidentPages;
                p.ResidentGrowthPages = (GrowthSmoothing * delta) + ((1 - GrowthSmoothing) * p.ResidentGrowthPages);
            }

            p.PreviousResidentPages = stat.ResidentPages;
            p.Stat = stat;
            p.LastScan = _scan;
            p.Selected = false;
            _live.Add(p);
        }

        if (_byPid.Count > _live.Count)
        {
            // Gone processes: forget them (their growth already sits in their group's total).
            _pids.Clear();
            foreach (var (pid, p) in _byPid)
            {
                if (p.LastScan != _scan)
                {
                    _pids.Add(pid);
                }
            }

            foreach (var pid in _pids)
            {
                _byPid.Remove(pid);
            }
        }
    }

    /// <summary>Names new processes by the first matching rule; then (process-exporter's -children) unmatched new processes join a tracked ancestor's group.</summary>
    private void DecideGroups()
    {
        _unmatchedNew.Clear();
        foreach (var p in _live)
        {
            if (p.GroupDecided)
            {
                continue;
            }

            if (_grouping.ByComm)
            {
                p.GroupName = p.Comm;
                p.GroupDecided = true;
                continue;
            }

            if (_grouping.UsesArgv && !TryReadArgv(p))
            {
                continue;
            }

            var username = string.Empty;
            if (_grouping.UsesUsername)
            {
                if (!_file.TryRead(p.Paths.Status, out var status))
                {
                    continue;
                }

                username = _users.Get(ProcStatus.Parse(status).EffectiveUid);
            }

            p.GroupName = _grouping.Match(new ProcessAttributes(p.Comm, p.Argv ?? [], username, p.Pid));
            p.GroupDecided = true;
            if (p.GroupName is null)
            {
                _unmatchedNew.Add(p);
            }
        }

        foreach (var p in _unmatchedNew)
        {
            p.GroupName ??= TrackedAncestorGroup(p, MaxAncestry);
        }
    }

    private string? TrackedAncestorGroup(TrackedProcess p, int budget)
    {
        if (budget == 0 || p.Stat.ParentPid < 1 || !_byPid.TryGetValue(p.Stat.ParentPid, out var parent) || parent.LastScan != _scan)
        {
            return null;
        }

        if (parent.GroupName is not null)
        {
            return parent.GroupName;
        }

        // An unmatched parent seen before this scan was already found to have no tracked ancestor.
        if (parent.FirstScan != _scan || !parent.GroupDecided)
        {
            return null;
        }

        parent.GroupName = TrackedAncestorGroup(parent, budget - 1);
        return parent.GroupName;
    }

    private ProcessGroup GroupFor(string name)
    {
        if (!_groups.TryGetValue(name, out var group))
        {
            group = new ProcessGroup(name);
            _groups.Add(name, group);
            var at = _sortedGroups.BinarySearch(group, GroupNameOrder.Instance);
            _sortedGroups.Insert(~at, group);
        }

        return group;
    }

    private void UpdateGroups()
    {
        foreach (var group in _sortedGroups)
        {
            group.ResetGauges();
        }

        foreach (var p in _live)
        {
            if (p.GroupName is null || !TryReadDetails(p))
            {
                continue;
            }

            p.HasThreadStates = p.Stat.Threads > 1 && TryReadThreads(p);
            var group = p.Group ??= GroupFor(p.GroupName);
            var counters = p.Counters;
            if (p.Baseline is { } baseline)
            {
                group.Total = group.Total.Plus(counters.Since(baseline));
            }
            else if (p.FirstScan != 1)
            {
                // Started after the collector's first scan: everything it did happened while we watched.
                group.Total = group.Total.Plus(counters);
            }

            p.Baseline = counters;
            group.AddMember(p, _pageSize);
        }
    }

    /// <summary>Reads status, io, fd, limits and smaps_rollup once per scan; false when the process vanished.</summary>
    private bool TryReadDetails(TrackedProcess p)
    {
        if (p.DetailsScan == _scan)
        {
            return true;
        }

        if (!_file.TryRead(p.Paths.Status, out var status))
        {
            return false;
        }

        p.Status = ProcStatus.Parse(status);

        // io needs ptrace rights: when unreadable keep the last values so the counters do not go backwards.
        p.HasIo = _file.TryRead(p.Paths.Io, out var io);
        if (p.HasIo)
        {
            p.Io = ProcIo.Parse(io);
            var total = p.Io.ReadBytes + p.Io.WriteBytes;
            p.RecentIoBytes = p.PreviousIoScan > 0 && p.PreviousIoScan == _scan - 1 && total >= p.PreviousIoBytes ? total - p.PreviousIoBytes : 0;
            p.PreviousIoBytes = total;
            p.PreviousIoScan = _scan;
        }
        else
        {
            p.RecentIoBytes = 0;
        }

        p.OpenFds = _fds.Count(p.Paths.Fd);
        if (!p.FdLimitRead && _file.TryRead(p.Paths.Limits, out var limits))
        {
            p.FdLimit = ProcLimits.OpenFilesSoftLimit(limits);
            p.FdLimitRead = true;
        }

        if (_options.GatherSmaps && SmapsDue(p))
        {
            // A failed read (kernel thread: ESRCH; no ptrace rights: EACCES) is remembered as long as a good one,
            // so it is not retried, at the price of an exception, on every scrape.
            p.SmapsReadAt = _context.Time.GetTimestamp();
            p.HasSmaps = _file.TryRead(p.Paths.SmapsRollup, out var smaps);
            p.Smaps = p.HasSmaps ? SmapsRollup.Parse(smaps) : default;
        }

        p.DetailsScan = _scan;
        return true;
    }

    private bool SmapsDue(TrackedProcess p) =>
        p.SmapsReadAt is not { } at || _context.Time.GetElapsedTime(at) >= _options.SmapsMaxAge;

    /// <summary>
    /// As process-exporter does by default (-threads): context switches are summed over the threads, since
    /// /proc/PID/status counts the main thread's only, and each thread's state is counted besides the
    /// process's own. A thread without readable status is skipped; fewer than two read means no thread data.
    /// </summary>
    private bool TryReadThreads(TrackedProcess p)
    {
        _tids.Clear();
        try
        {
            ProcDirectory.ListPids(p.Paths.Task, _tids);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        if (_tids.Count < 2)
        {
            return false;
        }

        var states = p.ThreadStates ??= new int[5];
        Array.Clear(states);
        ulong voluntary = 0, nonvoluntary = 0;
        var read = 0;
        var task = p.Paths.Task;
        Span<char> path = stackalloc char[task.Length + ThreadStatusSuffix];
        task.CopyTo(path);
        path[task.Length] = '/';
        foreach (var tid in _tids)
        {
            // status holds both the state letter and the switch counts: one read per thread. The path is built
            // on the stack: a thread's path would otherwise be a new string on every scrape.
            _ = tid.TryFormat(path[(task.Length + 1)..], out var digits, provider: CultureInfo.InvariantCulture);
            var end = task.Length + 1 + digits;
            "/status".CopyTo(path[end..]);
            if (!_file.TryRead(path[..(end + "/status".Length)], out var content))
            {
                continue;
            }

            var status = ProcStatus.Parse(content);
            if (status.State == 0)
            {
                continue;
            }

            voluntary += status.VoluntaryCtxSwitches;
            nonvoluntary += status.NonvoluntaryCtxSwitches;
            states[ProcessGroup.StateIndex(status.State)]++;
            read++;
        }

        if (read < 2)
        {
            return false;
        }

        p.Status = p.Status with { VoluntaryCtxSwitches = voluntary, NonvoluntaryCtxSwitches = nonvoluntary };
        return true;
    }

    private bool TryReadArgv(TrackedProcess p)
    {
        if (p.Argv is not null)
        {
            return true;
        }

        if (!_file.TryRead(p.Paths.Cmdline, out var content))
        {
            return false;
        }

        p.Argv = Cmdline.ParseArgv(content);
        return true;
    }

    private void WriteGroups(MetricSink sink)
    {
        if (_sortedGroups.Count == 0)
        {
            return;
        }

        var bootTime = _bootTime ?? 0;
        var procs = sink.Family("namedprocess_namegroup_num_procs", "number of processes in this group", MetricType.Gauge, Group);
        var threads = sink.Family("namedprocess_namegroup_num_threads", "Number of threads", MetricType.Gauge, Group);
        var oldest = sink.Family("namedprocess_namegroup_oldest_start_time_seconds", "start time in seconds since 1970/01/01 of oldest process in group", MetricType.Gauge, Group);
        var cpu = sink.Family("namedprocess_namegroup_cpu_seconds_total", "Cpu user usage in seconds", MetricType.Counter, Group, "mode");
        var read = sink.Family("namedprocess_namegroup_read_bytes_total", "number of bytes read by this group", MetricType.Counter, Group);
        var write = sink.Family("namedprocess_namegroup_write_bytes_total", "number of bytes written by this group", MetricType.Counter, Group);
        var major = sink.Family("namedprocess_namegroup_major_page_faults_total", "Major page faults", MetricType.Counter, Group);
        var minor = sink.Family("namedprocess_namegroup_minor_page_faults_total", "Minor page faults", MetricType.Counter, Group);
        var ctx = sink.Family("namedprocess_namegroup_context_switches_total", "Context switches", MetricType.Counter, Group, "ctxswitchtype");
        var memory = sink.Family("namedprocess_namegroup_memory_bytes", "number of bytes of memory in use", MetricType.Gauge, Group, "memtype");
        var fds = sink.Family("namedprocess_namegroup_open_filedesc", "number of open file descriptors for this group", MetricType.Gauge, Group);
        var fdRatio = sink.Family("namedprocess_namegroup_worst_fd_ratio", "the worst (closest to 1) ratio between open fds and max fds among all procs in this group", MetricType.Gauge, Group);
        var states = sink.Family("namedprocess_namegroup_states", "Number of processes in states Running, Sleeping, Waiting, Zombie, or Other", MetricType.Gauge, Group, "state");
        foreach (var g in _sortedGroups)
        {
            var total = g.Total;
            procs.Add(g.Procs, g.Label);
            threads.Add(g.Threads, g.Label);

            // Whole seconds, as process-exporter reports time.Unix(); 0 for a group with no live member.
            oldest.Add(g.Procs == 0 ? 0 : bootTime + Math.Floor(g.OldestStartTicks / TicksPerSecond), g.Label);
            cpu.Add(total.UserTicks / TicksPerSecond, g.UserLabel);
            cpu.Add(total.SystemTicks / TicksPerSecond, g.SystemLabel);
            read.Add(total.ReadBytes, g.Label);
            write.Add(total.WriteBytes, g.Label);
            major.Add(total.MajorFaults, g.Label);
            minor.Add(total.MinorFaults, g.Label);
            ctx.Add(total.VoluntaryCtxSwitches, g.VoluntaryLabel);
            ctx.Add(total.NonvoluntaryCtxSwitches, g.NonvoluntaryLabel);
            memory.Add(g.ResidentBytes, g.MemoryLabels[0]);
            memory.Add(g.VirtualBytes, g.MemoryLabels[1]);
            memory.Add(g.SwapBytes, g.MemoryLabels[2]);
            if (_options.GatherSmaps)
            {
                memory.Add(g.PssBytes, g.MemoryLabels[3]);
                memory.Add(g.SwapPssBytes, g.MemoryLabels[4]);
            }

            fds.Add(g.OpenFds, g.Label);
            fdRatio.Add(g.WorstFdRatio, g.Label);
            for (var s = 0; s < g.States.Length; s++)
            {
                states.Add(g.States[s], g.StateLabels[s]);
            }
        }
    }

    /// <summary>Marks the union of the top <paramref name="n"/> by resident memory, by recent CPU, by recent memory growth and by recent I/O (all positive).</summary>
    private void SelectTop(int n)
    {
        _selected.Clear();
        if (_ranking.Length < _live.Count)
        {
            _ranking = new TrackedProcess[Math.Max(_live.Count, _ranking.Length * 2)];
        }

        var count = _live.Count;
        _live.CopyTo(_ranking);
        var ranking = _ranking.AsSpan(0, count);
        ranking.Sort(ByResident.Compare);
        Take(ranking, n, static p => p.Stat.ResidentPages > 0);
        ranking.Sort(ByRecentCpu.Compare);
        Take(ranking, n, static p => p.RecentCpuTicks > 0);
        ranking.Sort(ByResidentGrowth.Compare);
        Take(ranking, n, static p => p.ResidentGrowthPages > 0);
        ranking.Sort(ByRecentIo.Compare);
        Take(ranking, n, static p => p.RecentIoBytes > 0);
        _selected.Sort(ByPid.Compare);
    }

    private void Take(Span<TrackedProcess> ranking, int n, Func<TrackedProcess, bool> counts)
    {
        var taken = 0;
        foreach (var p in ranking)
        {
            if (taken == n || !counts(p))
            {
                break;
            }

            if (!p.Selected)
            {
                if (!TryReadDetails(p))
                {
                    continue;
                }

                p.Selected = true;
                _selected.Add(p);
            }

            taken++;
        }
    }

    private void WriteTop(MetricSink sink, double bootTime)
    {
        if (_selected.Count == 0)
        {
            return;
        }

        string[] labels = ["pid", "name", "cmdline"];
        var cpu = sink.Family("opsmon_process_cpu_seconds_total", "CPU time of one of the top processes.", MetricType.Counter, "pid", "name", "cmdline", "mode");
        var resident = sink.Family("opsmon_process_resident_memory_bytes", "Resident set size of one of the top processes.", MetricType.Gauge, labels);
        var virt = sink.Family("opsmon_process_virtual_memory_bytes", "Virtual memory size of one of the top processes.", MetricType.Gauge, labels);
        var swap = sink.Family("opsmon_process_swap_bytes", "Swapped-out memory (VmSwap) of one of the top processes.", MetricType.Gauge, labels);
        var threads = sink.Family("opsmon_process_threads", "Threads of one of the top processes.", MetricType.Gauge, labels);
        var start = sink.Family("opsmon_process_start_time_seconds", "Start time of one of the top processes, seconds since the epoch.", MetricType.Gauge, labels);
        MetricFamily? pss = null, uss = null, fds = null, read = null, write = null, cgroup = null;
        foreach (var p in _selected)
        {
            TryReadArgv(p);
            var l = p.Labels;
            if (TryReadCgroup(p))
            {
                cgroup ??= sink.Family("opsmon_process_cgroup_info", "The cgroup v2 path of one of the top processes (from /proc/PID/cgroup), as opsmon_cgroup_* label it; always 1.", MetricType.Gauge, "pid", "name", "cmdline", "cgroup");
                cgroup.Add(1, p.LabelsCgroup);
            }

            cpu.Add(p.Stat.UserTicks / TicksPerSecond, p.LabelsUser);
            cpu.Add(p.Stat.SystemTicks / TicksPerSecond, p.LabelsSystem);
            resident.Add(p.Stat.ResidentPages * _pageSize, l);
            virt.Add(p.Stat.VirtualBytes, l);
            swap.Add(p.Status.SwapBytes, l);
            threads.Add(p.Stat.Threads, l);
            start.Add(bootTime + (p.StartTicks / TicksPerSecond), l);
            if (p.HasSmaps)
            {
                pss ??= sink.Family("opsmon_process_pss_bytes", "Proportional set size (smaps_rollup Pss) of one of the top processes.", MetricType.Gauge, labels);
                uss ??= sink.Family("opsmon_process_uss_bytes", "Unique set size (smaps_rollup Private_Clean+Private_Dirty) of one of the top processes.", MetricType.Gauge, labels);
                pss.Add(p.Smaps.PssBytes, l);
                uss.Add(p.Smaps.UssBytes, l);
            }

            if (p.OpenFds >= 0)
            {
                fds ??= sink.Family("opsmon_process_open_fds", "Open file descriptors of one of the top processes.", MetricType.Gauge, labels);
                fds.Add(p.OpenFds, l);
            }

            if (p.HasIo)
            {
                read ??= sink.Family("opsmon_process_read_bytes_total", "Bytes one of the top processes caused to be read from storage.", MetricType.Counter, labels);
                write ??= sink.Family("opsmon_process_write_bytes_total", "Bytes one of the top processes caused to be written to storage.", MetricType.Counter, labels);
                read.Add(p.Io.ReadBytes, l);
                write.Add(p.Io.WriteBytes, l);
            }
        }
    }

    /// <summary>
    /// Reads the process's cgroup v2 path (the "0::PATH" line) on every scrape it is selected, since a process can be
    /// moved (systemd-run, cgroup.procs); an unchanged path reuses its string. False for a pure v1 host or a gone process.
    /// </summary>
    private bool TryReadCgroup(TrackedProcess p)
    {
        if (!_file.TryRead(p.Paths.Cgroup, out var content))
        {
            return p.Cgroup is not null;
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!line.StartsWith("0::"u8))
            {
                continue;
            }

            var path = line[3..];
            if (path.IsEmpty || path[0] != (byte)'/')
            {
                return false;
            }

            if (p.CgroupBytes is null || !path.SequenceEqual(p.CgroupBytes))
            {
                p.CgroupBytes = path.ToArray();
                p.Cgroup = Span.ToText(path);
            }

            return true;
        }

        return false;
    }

    private sealed class GroupNameOrder : IComparer<ProcessGroup>
    {
        public static readonly GroupNameOrder Instance = new();

        public int Compare(ProcessGroup? x, ProcessGroup? y) => string.CompareOrdinal(x?.Name, y?.Name);
    }

    private static class ByResident
    {
        public static int Compare(TrackedProcess a, TrackedProcess b)
        {
            var c = b.Stat.ResidentPages.CompareTo(a.Stat.ResidentPages);
            return c != 0 ? c : a.Pid.CompareTo(b.Pid);
        }
    }

    private static class ByRecentCpu
    {
        public static int Compare(TrackedProcess a, TrackedProcess b)
        {
            var c = b.RecentCpuTicks.CompareTo(a.RecentCpuTicks);
            return c != 0 ? c : a.Pid.CompareTo(b.Pid);
        }
    }

    private static class ByResidentGrowth
    {
        public static int Compare(TrackedProcess a, TrackedProcess b)
        {
            var c = b.ResidentGrowthPages.CompareTo(a.ResidentGrowthPages);
            return c != 0 ? c : a.Pid.CompareTo(b.Pid);
        }
    }

    private static class ByRecentIo
    {
        public static int Compare(TrackedProcess a, TrackedProcess b)
        {
            var c = b.RecentIoBytes.CompareTo(a.RecentIoBytes);
            return c != 0 ? c : a.Pid.CompareTo(b.Pid);
        }
    }

    private static class ByPid
    {
        public static int Compare(TrackedProcess a, TrackedProcess b) => a.Pid.CompareTo(b.Pid);
    }
}
