using Opsmon.Collectors.Parsing;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>
/// The fields of /proc/PID/stat the process collector (and the agent's own process_* metrics) use (proc(5)); times
/// in clock ticks, rss in pages.
/// </summary>
public readonly record struct ProcStat(
    byte State,
    int ParentPid,
    ulong MinorFaults,
    ulong MajorFaults,
    ulong UserTicks,
    ulong SystemTicks,
    ulong Threads,
    ulong StartTicks,
    ulong VirtualBytes,
    ulong ResidentPages)
{
    /// <summary>
    /// Parses one stat line. The comm field may hold spaces, parentheses, newlines and any bytes, so the
    /// fields after it are found from the LAST ')' in the file, as the kernel documents.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> content, out ProcStat stat, out ReadOnlySpan<byte> comm)
    {
        stat = default;
        comm = default;
        var open = content.IndexOf((byte)'(');
        var close = content.LastIndexOf((byte)')');
        if (open < 0 || close < open)
        {
            return false;
        }

        comm = content[(open + 1)..close];
        var rest = content[(close + 1)..];
        if (!Span.NextField(ref rest, out var state) || state.Length != 1)
        {
            return false;
        }

        // Fields after the state, numbered from 0 = ppid (proc(5) fields 4..24).
        Span<ulong> values = stackalloc ulong[21];
        var parentPid = 0L;
        for (var i = 0; i < values.Length; i++)
        {
            if (!Span.NextField(ref rest, out var field))
            {
                return false;
            }

            if (i == 0)
            {
                _ = Span.TryParseInt64(field, out parentPid);
            }
            else if (i is 6 or 8 or 10 or 11 or 16 or 18 or 19 or 20)
            {
                if (!Span.TryParseUInt64(field, out values[i]))
                {
                    return false;
                }
            }
        }

        stat = new ProcStat(
            State: state[0],
            ParentPid: (int)parentPid,
            MinorFaults: values[6],
            MajorFaults: values[8],
            UserTicks: values[10],
            SystemTicks: values[11],
            Threads: values[16],
            StartTicks: values[18],
            VirtualBytes: values[19],
            ResidentPages: values[20]);
        return true;
    }
}

/// <summary>The system-wide /proc/stat.</summary>
public static class SystemStat
{
    /// <summary>The boot time (the <c>btime</c> line), in seconds since the epoch; false when the file has none.</summary>
    public static bool TryParseBootTime(ReadOnlySpan<byte> content, out ulong bootTime)
    {
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (line.StartsWith("btime "u8))
            {
                var value = line[6..];
                bootTime = Span.NextUInt64(ref value);
                return true;
            }
        }

        bootTime = 0;
        return false;
    }
}
