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
    private readonly Dictionary<ulong, (byte[] Bytes, string Text)> _entries = [];

    public string Get(ReadOnlySpan<byte> bytes)
    {
        var key = XxHash3.HashToUInt64(bytes);
        if (_entries.TryGetValue(key, out var entry) && bytes.SequenceEqual(entry.Bytes))
        {
            return entry.Text;
        }

        var text = Encoding.UTF8.GetString(bytes);
        _entries[key] = (bytes.ToArray(), text);
        return text;
    }
}
