using System.Buffers.Binary;
using System.Text;

namespace Opsmon.Analysis.Leaks;

/// <summary>
/// Finds the values of named EventCounters in an EventPipe (nettrace) stream. Every counter event carries a
/// payload whose first fields are Name and DisplayName (null-terminated UTF-16) and then Mean (a double):
/// https://learn.microsoft.com/dotnet/core/diagnostics/event-counters. Scanning for the name is all the
/// parsing the two counters doctor needs; a full nettrace reader (TraceEvent) would be a large dependency.
/// </summary>
public sealed class CounterPayloadScanner
{
    private readonly (string Name, byte[] Pattern)[] _counters;
    private readonly int _longest;
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    public CounterPayloadScanner(params string[] counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        _counters = [.. counters.Select(static c => (c, Encoding.Unicode.GetBytes(c + "\0")))];
        _longest = _counters.Max(static c => c.Pattern.Length);
    }

    /// <summary>
    /// Adds bytes read from the stream and reports every complete counter value found in them. A payload cut at
    /// the end of <paramref name="bytes"/> is kept until the next call completes it.
    /// </summary>
    public void Feed(ReadOnlySpan<byte> bytes, Action<string, double> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        if (_length + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        var data = _buffer.AsSpan(0, _length);
        var consumed = 0;
        var scanFrom = 0;
        while (true)
        {
            var (at, name, pattern) = NextMatch(data, scanFrom);
            if (at < 0)
            {
                // Keep a tail long enough to hold the start of a name cut by the end of this chunk.
                consumed = Math.Max(consumed, Math.Max(0, data.Length - _longest - 512));
                break;
            }

            var afterName = at + pattern.Length;
            var displayEnd = Utf16Terminator(data, afterName);
            if (displayEnd < 0 || displayEnd + 2 + sizeof(double) > data.Length)
            {
                // The payload continues in the next chunk.
                consumed = at;
                break;
            }

            var mean = BinaryPrimitives.ReadDoubleLittleEndian(data[(displayEnd + 2)..]);
            if (double.IsFinite(mean))
            {
                found(name, mean);
            }

            scanFrom = displayEnd + 2 + sizeof(double);
            consumed = scanFrom;
        }

        data[consumed..].CopyTo(_buffer);
        _length = data.Length - consumed;
    }

    private (int At, string Name, byte[] Pattern) NextMatch(ReadOnlySpan<byte> data, int from)
    {
        var best = (-1, string.Empty, Array.Empty<byte>());
        foreach (var (name, pattern) in _counters)
        {
            var i = data[from..].IndexOf(pattern);
            if (i >= 0 && (best.Item1 < 0 || from + i < best.Item1))
            {
                best = (from + i, name, pattern);
            }
        }

        return best;
    }

    /// <summary>The offset of the UTF-16 null that ends the string starting at <paramref name="start"/>; -1 when not in the data (or implausibly long).</summary>
    private static int Utf16Terminator(ReadOnlySpan<byte> data, int start)
    {
        for (var i = start; i + 1 < data.Length && i - start < 512; i += 2)
        {
            if (data[i] == 0 && data[i + 1] == 0)
            {
                return i;
            }
        }

        return -1;
    }
}
