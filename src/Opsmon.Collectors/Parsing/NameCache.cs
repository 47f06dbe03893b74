using System.IO.Hashing;
using System.Text;

namespace Opsmon.Collectors.Parsing;

/// <summary>
/// Turns repeated byte spans (field names, device names) into the same string instance, so a parser
/// that sees the same keys on every scrape allocates no string for them after the first.
/// Not thread-safe: one per collector instance.
/// </summary>
public sealed class NameCache
{
    private readonly Dictionary<ulong, Entry> _entries = [];

    public string Get(ReadOnlySpan<byte> bytes) => Find(bytes).Text;

    /// <summary>
    /// The same name as a one-value label array, also built once: a sample added with it shares the array
    /// instead of allocating one per call (MetricFamily.Add's params array).
    /// </summary>
    public string[] Label(ReadOnlySpan<byte> bytes) => Find(bytes).Label;

    private Entry Find(ReadOnlySpan<byte> bytes)
    {
        var key = XxHash3.HashToUInt64(bytes);
        if (_entries.TryGetValue(key, out var entry) && bytes.SequenceEqual(entry.Bytes))
        {
            return entry;
        }

        var text = Encoding.UTF8.GetString(bytes);
        entry = new Entry(bytes.ToArray(), text, [text]);
        _entries[key] = entry;
        return entry;
    }

    private sealed record Entry(byte[] Bytes, string Text, string[] Label);
}
