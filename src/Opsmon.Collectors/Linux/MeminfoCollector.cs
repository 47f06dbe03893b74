using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_memory_* gauges from /proc/meminfo, named as node_exporter 1.5 names them: a field with a unit
/// ("kB") is multiplied by 1024 and gets a <c>_bytes</c> suffix, a field without one (HugePages_Total) keeps
/// its bare name, and parentheses become an underscore (<c>Active(anon)</c> → <c>Active_anon_bytes</c>).
/// A field whose name ends in <c>_total</c> is a counter. Names are built once per distinct field and reused.
/// </summary>
public sealed class MeminfoCollector(CollectorContext context) : ICollector
{
    private const string Prefix = "node_memory_";

    private readonly ProcFile _file = new(8 * 1024);
    private readonly string _path = context.Root.Proc("meminfo");
    private readonly NameCache _keys = new();
    private readonly Dictionary<string, Field> _withUnit = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Field> _withoutUnit = new(StringComparer.Ordinal);

    public string Name => "meminfo";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            // "Key:   123 kB" or "Key:   123". node_exporter fails the whole collector on any other shape;
            // we skip that one line instead, so a kernel oddity costs one field, not all of them.
            if (!Span.NextField(ref line, out var key) || key.Length < 2 || key[^1] != (byte)':'
                || !Span.NextField(ref line, out var number) || !Span.TryParseDouble(number, out var value))
            {
                continue;
            }

            var hasUnit = Span.NextField(ref line, out _);
            if (Span.NextField(ref line, out _))
            {
                continue;
            }

            var field = Describe(_keys.Get(key[..^1]), hasUnit);

            // A repeated key would otherwise give the family two identical series; the first one wins.
            var family = sink.Family(field.Name, field.Help, field.Type);
            if (family.Samples.Count == 0)
            {
                family.Add(hasUnit ? value * 1024 : value);
            }
        }
    }

    private Field Describe(string key, bool hasUnit)
    {
        var cache = hasUnit ? _withUnit : _withoutUnit;
        if (!cache.TryGetValue(key, out var field))
        {
            var name = SanitizeParentheses(key) + (hasUnit ? "_bytes" : "");
            var type = name.EndsWith("_total", StringComparison.Ordinal) ? MetricType.Counter : MetricType.Gauge;
            field = new Field(Prefix + name, $"Memory information field {name}.", type);
            cache.Add(key, field);
        }

        return field;
    }

    /// <summary>
    /// node_exporter's <c>\((.*)\)</c> → <c>_$1</c>: from the first '(' to the last ')' after it, greedy.
    /// </summary>
    private static string SanitizeParentheses(string key)
    {
        var open = key.IndexOf('(', StringComparison.Ordinal);
        var close = key.LastIndexOf(')');
        return open >= 0 && close > open
            ? string.Concat(key.AsSpan(0, open), "_".AsSpan(), key.AsSpan(open + 1, close - open - 1), key.AsSpan(close + 1))
            : key;
    }

    private sealed record Field(string Name, string Help, MetricType Type);
}
