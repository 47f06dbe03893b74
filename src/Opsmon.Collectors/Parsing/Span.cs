using System.Buffers.Text;
using System.Text;

namespace Opsmon.Collectors.Parsing;

/// <summary>Helpers over UTF-8 byte spans for the /proc parsers: no string per line, no Split.</summary>
public static class Span
{
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && IsSpace(s[start]))
        {
            start++;
        }

        var end = s.Length;
        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    public static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';

    /// <summary>Takes the next line (without its newline) off <paramref name="rest"/>; false when none is left.</summary>
    public static bool NextLine(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> line)
    {
        if (rest.IsEmpty)
        {
            line = default;
            return false;
        }

        var nl = rest.IndexOf((byte)'\n');
        if (nl < 0)
        {
            line = rest;
            rest = default;
        }
        else
        {
            line = rest[..nl];
            rest = rest[(nl + 1)..];
        }

        return true;
    }

    /// <summary>Takes the next whitespace-separated field off <paramref name="rest"/>; false when none is left.</summary>
    public static bool NextField(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> field)
    {
        var i = 0;
        while (i < rest.Length && IsSpace(rest[i]))
        {
            i++;
        }

        if (i == rest.Length)
        {
            rest = default;
            field = default;
            return false;
        }

        var start = i;
        while (i < rest.Length && !IsSpace(rest[i]))
        {
            i++;
        }

        field = rest[start..i];
        rest = rest[i..];
        return true;
    }

    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value) =>
        Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length;

    public static bool TryParseUInt64(ReadOnlySpan<byte> s, out ulong value) =>
        Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length;

    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value) =>
        Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length;

    /// <summary>Next field parsed as a number; 0 when missing or malformed (procfs fields are optional across kernels).</summary>
    public static ulong NextUInt64(ref ReadOnlySpan<byte> rest) =>
        NextField(ref rest, out var f) && TryParseUInt64(f, out var v) ? v : 0;

    /// <summary>Decodes bytes that may not be valid UTF-8 (process names, mount points) without throwing.</summary>
    public static string ToText(ReadOnlySpan<byte> s) => Encoding.UTF8.GetString(s);
}
