using System.IO.Enumeration;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>Directory listings of /proc without a string per entry.</summary>
internal static class ProcDirectory
{
    // No attribute filtering: on Unix that would stat every entry, and /proc/PID/fd holds only symlinks.
    private static readonly EnumerationOptions Options = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Appends the numeric entries of <paramref name="procDir"/> (the pids) to <paramref name="pids"/>.</summary>
    public static void ListPids(string procDir, List<int> pids)
    {
        var entries = new FileSystemEnumerable<int>(procDir, static (ref FileSystemEntry entry) => ParsePid(entry.FileName), Options)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => ParsePid(entry.FileName) > 0,
        };
        foreach (var pid in entries)
        {
            pids.Add(pid);
        }
    }

    private static int ParsePid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 9)
        {
            return 0;
        }

        var pid = 0;
        foreach (var c in name)
        {
            if (c is < '0' or > '9')
            {
                return 0;
            }

            pid = (pid * 10) + (c - '0');
        }

        return pid;
    }
}
