using System.Text;
using Opsmon.Collectors.Parsing;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>/proc/PID/mountinfo lookups (proc(5)): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER".</summary>
internal static class MountInfo
{
    /// <summary>The mount point of the first mount of file-system type <paramref name="fsType"/>, unescaped; null when none.</summary>
    public static string? FindMountPoint(ReadOnlySpan<byte> content, ReadOnlySpan<byte> fsType)
    {
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            var separator = line.IndexOf(" - "u8);
            if (separator < 0)
            {
                continue;
            }

            var after = line[(separator + 3)..];
            if (!Span.NextField(ref after, out var type) || !type.SequenceEqual(fsType))
            {
                continue;
            }

            var fields = line[..separator];
            var skipped = 0;
            while (skipped < 4 && Span.NextField(ref fields, out _))
            {
                skipped++;
            }

            if (skipped == 4 && Span.NextField(ref fields, out var mountPoint))
            {
                return Unescape(mountPoint);
            }
        }

        return null;
    }

    /// <summary>The kernel writes space, tab, newline and backslash in paths as 3-digit octal escapes (\040).</summary>
    private static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'\\') < 0)
        {
            return Span.ToText(s);
        }

        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                bytes.Add((byte)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(s[i]);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
