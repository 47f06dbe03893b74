using System.Globalization;

namespace Opsmon.Rules.Actions;

/// <summary>
/// A process as the actions see it, read from /proc (under <see cref="ActionHost.ProcRoot"/>). <see cref="StartTicks"/>
/// with <see cref="Pid"/> identifies the process across a reuse of its id.
/// </summary>
public sealed record ProcessInfo(
    int Pid,
    string Comm,
    string? Exe,
    string Cmdline,
    uint Uid,
    long RssBytes,
    ulong StartTicks,
    bool IsKernelThread,
    char State,
    int Nice)
{
    private const uint KernelThreadFlag = 0x00200000; // PF_KTHREAD in include/linux/sched.h

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"pid {Pid} ({Comm})");

    /// <summary>Reads one process; null when it is gone (or was never there).</summary>
    public static ProcessInfo? Read(string procRoot, int pid)
    {
        var dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split at the last ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                return null;
            }

            var comm = stat[(open + 1)..close];
            var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // fields[0] is field 3 (state) of proc(5); field N is fields[N - 3].
            var state = fields[0][0];
            var flags = uint.Parse(fields[9 - 3], CultureInfo.InvariantCulture);
            var nice = int.Parse(fields[19 - 3], CultureInfo.InvariantCulture);
            var start = ulong.Parse(fields[22 - 3], CultureInfo.InvariantCulture);
            var rssPages = long.Parse(fields[24 - 3], CultureInfo.InvariantCulture);
            var uid = ReadUid(Path.Combine(dir, "status"));
            var cmdline = ReadCmdline(Path.Combine(dir, "cmdline"));
            string? exe = null;
            try
            {
                exe = new FileInfo(Path.Combine(dir, "exe")).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            // Kernel threads have PF_KTHREAD and no executable; either one is enough to leave a process alone.
            var kernel = (flags & KernelThreadFlag) != 0 || (exe is null && cmdline.Length == 0);
            return new ProcessInfo(pid, comm, exe, cmdline, uid, rssPages * Environment.SystemPageSize, start, kernel, state, nice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Every process under the root (numeric directories), skipping those that vanish while read.</summary>
    public static IEnumerable<ProcessInfo> All(string procRoot)
    {
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(procRoot).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var dir in dirs)
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(procRoot, pid) is { } p)
            {
                yield return p;
            }
        }
    }

    /// <summary>Whether this very process (same id, same start time) still runs: gone, or a zombie, is not alive.</summary>
    public bool IsAlive(string procRoot) => Read(procRoot, Pid) is { } now && now.StartTicks == StartTicks && now.State is not ('Z' or 'X' or 'x');

    /// <summary>The ids of the process's threads (/proc/PID/task), the process itself when they cannot be read.</summary>
    public IReadOnlyList<int> Threads(string procRoot)
    {
        try
        {
            var tids = Directory.EnumerateDirectories(Path.Combine(procRoot, Pid.ToString(CultureInfo.InvariantCulture), "task"))
                .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : -1)
                .Where(t => t > 0)
                .ToList();
            return tids.Count > 0 ? tids : [Pid];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [Pid];
        }
    }

    private static uint ReadUid(string statusPath)
    {
        foreach (var line in File.ReadLines(statusPath))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var parts = line[4..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return uint.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }

        throw new FormatException($"{statusPath} has no Uid line");
    }

    private static string ReadCmdline(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\0').Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
