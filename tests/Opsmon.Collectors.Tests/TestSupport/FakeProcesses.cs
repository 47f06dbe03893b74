using System.Globalization;
using System.Text;

namespace Opsmon.Collectors.Tests.TestSupport;

/// <summary>
/// A process to write into a <see cref="TempTree"/>'s proc/PID as the kernel would show it. Times in clock
/// ticks, rss in pages, sizes in kB where the kernel uses kB. Null optional files are left out.
/// </summary>
public sealed record FakeProcess(int Pid, string Comm)
{
    public byte[]? CommBytes { get; init; }

    public string[] Argv { get; init; } = [];

    public char State { get; init; } = 'S';

    public int ParentPid { get; init; } = 1;

    public ulong MinorFaults { get; init; }

    public ulong MajorFaults { get; init; }

    public ulong UserTicks { get; init; }

    public ulong SystemTicks { get; init; }

    public int Threads { get; init; } = 1;

    public ulong StartTicks { get; init; } = 100;

    public ulong VirtualBytes { get; init; } = 1 << 20;

    public ulong ResidentPages { get; init; }

    public int Uid { get; init; }

    public ulong SwapKb { get; init; }

    public ulong VoluntaryCtx { get; init; }

    public ulong NonvoluntaryCtx { get; init; }

    /// <summary>read_bytes and write_bytes of /proc/PID/io; null leaves io out (not readable without ptrace).</summary>
    public (ulong Read, ulong Write)? Io { get; init; }

    public int Fds { get; init; }

    public string FdLimit { get; init; } = "1024";

    /// <summary>Pss, SwapPss, Private_Clean, Private_Dirty in kB; null leaves smaps_rollup out.</summary>
    public (ulong Pss, ulong SwapPss, ulong PrivateClean, ulong PrivateDirty)? Smaps { get; init; }

    /// <summary>The whole /proc/PID/cgroup text; null leaves the file out.</summary>
    public string? Cgroup { get; init; }

    /// <summary>Leave status out, as when the process exits between reading stat and status.</summary>
    public bool WithoutStatus { get; init; }
}

public static class FakeProcesses
{
    public const long BootTime = 1_700_000_000;

    /// <summary>Writes proc/stat (with btime) so a tree is a usable /proc.</summary>
    public static TempTree WithProcStat(this TempTree tree) =>
        tree.Write("proc/stat", $"cpu  1 2 3 4 5 6 7 0 0 0\nbtime {BootTime}\nprocesses 10\n");

    public static TempTree WriteBytes(this TempTree tree, string relative, byte[] content)
    {
        var full = Path.Combine(tree.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return tree;
    }

    public static TempTree Add(this TempTree tree, FakeProcess p)
    {
        var dir = "proc/" + p.Pid.ToString(CultureInfo.InvariantCulture);
        var inv = CultureInfo.InvariantCulture;
        var comm = p.CommBytes ?? Encoding.UTF8.GetBytes(p.Comm);
        var after = string.Create(inv, $") {p.State} {p.ParentPid} {p.Pid} {p.Pid} 0 -1 4194560 {p.MinorFaults} 0 {p.MajorFaults} 0 {p.UserTicks} {p.SystemTicks} 0 0 20 0 {p.Threads} 0 {p.StartTicks} {p.VirtualBytes} {p.ResidentPages} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
        tree.WriteBytes(dir + "/stat", [.. Encoding.ASCII.GetBytes(p.Pid.ToString(inv) + " ("), .. comm, .. Encoding.ASCII.GetBytes(after)]);
        tree.WriteBytes(dir + "/comm", [.. comm, (byte)'\n']);
        tree.WriteBytes(dir + "/cmdline", [.. p.Argv.SelectMany(a => Encoding.UTF8.GetBytes(a).Append((byte)0))]);
        if (!p.WithoutStatus)
        {
            tree.Write(dir + "/status", string.Create(inv, $"Name:\t{p.Comm}\nState:\t{p.State}\nPid:\t{p.Pid}\nPPid:\t{p.ParentPid}\nUid:\t{p.Uid}\t{p.Uid}\t{p.Uid}\t{p.Uid}\nVmSwap:\t{p.SwapKb,8} kB\nThreads:\t{p.Threads}\nvoluntary_ctxt_switches:\t{p.VoluntaryCtx}\nnonvoluntary_ctxt_switches:\t{p.NonvoluntaryCtx}\n"));
        }

        if (p.Io is { } io)
        {
            tree.Write(dir + "/io", string.Create(inv, $"rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: {io.Read}\nwrite_bytes: {io.Write}\ncancelled_write_bytes: 0\n"));
        }

        if (p.Smaps is { } s)
        {
            tree.Write(dir + "/smaps_rollup", string.Create(inv, $"00400000-7ffd0000 ---p 00000000 00:00 0   [rollup]\nRss:  {s.PrivateClean + s.PrivateDirty} kB\nPss:  {s.Pss} kB\nShared_Clean:  0 kB\nPrivate_Clean:  {s.PrivateClean} kB\nPrivate_Dirty:  {s.PrivateDirty} kB\nSwap:  0 kB\nSwapPss:  {s.SwapPss} kB\n"));
        }

        if (p.Cgroup is { } cgroup)
        {
            tree.Write(dir + "/cgroup", cgroup);
        }

        tree.Write(dir + "/limits", $"Limit                     Soft Limit           Hard Limit           Units     \nMax processes             1000                 1000                 processes \nMax open files            {p.FdLimit,-20} 4096                 files     \n");
        Directory.CreateDirectory(Path.Combine(tree.Path, dir, "fd"));
        for (var fd = 0; fd < p.Fds; fd++)
        {
            tree.Write(dir + "/fd/" + fd.ToString(inv), string.Empty);
        }

        return tree;
    }

    /// <summary>Writes proc/PID/task/TID/stat and status (state and switch counts) for one thread of a process written with <see cref="Add"/>.</summary>
    public static TempTree AddThread(this TempTree tree, int pid, int tid, char state, ulong voluntaryCtx, ulong nonvoluntaryCtx)
    {
        var inv = CultureInfo.InvariantCulture;
        var dir = string.Create(inv, $"proc/{pid}/task/{tid}");
        tree.Write(dir + "/stat", string.Create(inv, $"{tid} (thread) {state} 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 1048576 0 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"));
        tree.Write(dir + "/status", string.Create(inv, $"Name:\tthread\nState:\t{state}\nvoluntary_ctxt_switches:\t{voluntaryCtx}\nnonvoluntary_ctxt_switches:\t{nonvoluntaryCtx}\n"));
        return tree;
    }

    /// <summary>Removes proc/PID, as when the process exits.</summary>
    public static TempTree Remove(this TempTree tree, int pid)
    {
        Directory.Delete(Path.Combine(tree.Path, "proc", pid.ToString(CultureInfo.InvariantCulture)), recursive: true);
        return tree;
    }
}
