using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_sockstat_* gauges from /proc/net/sockstat and /proc/net/sockstat6, as node_exporter 1.5's sockstat collector:
/// node_sockstat_sockets_used, then per protocol line PROTO_inuse (always), PROTO_orphan, _tw, _alloc, _mem, _memory
/// (when the line has them) and PROTO_mem_bytes = mem pages × the page size.
/// </summary>
public sealed class SockstatCollector(CollectorContext context) : ICollector
{
    private static readonly string[] NoLabels = [];

    // The keys node_exporter knows, in the order it emits them; other keys are ignored, as procfs does.
    private static readonly byte[][] Keys = ["inuse"u8.ToArray(), "orphan"u8.ToArray(), "tw"u8.ToArray(), "alloc"u8.ToArray(), "mem"u8.ToArray(), "memory"u8.ToArray()];
    private const int InUse = 0;
    private const int Mem = 4;

    private readonly ProcFile _file = new(4096);
    private readonly NameCache _names = new();
    private readonly Dictionary<string, string> _helps = new(StringComparer.Ordinal);
    private readonly string _ipv4 = context.Root.Proc("net/sockstat");
    private readonly string _ipv6 = context.Root.Proc("net/sockstat6");
    private readonly byte[] _nameBuffer = new byte[256];

    public string Name => "sockstat";

    public void Update(MetricSink sink)
    {
        var any = false;
        if (_file.TryRead(_ipv4, out var content))
        {
            any = true;
            Parse(content, sink);
        }

        if (_file.TryRead(_ipv6, out content))
        {
            any = true;
            Parse(content, sink);
        }

        if (!any)
        {
            throw new NoDataException($"neither {_ipv4} nor {_ipv6} is readable");
        }
    }

    private void Parse(ReadOnlySpan<byte> content, MetricSink sink)
    {
        Span<long> values = stackalloc long[Keys.Length];
        Span<bool> present = stackalloc bool[Keys.Length];
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!Span.NextField(ref line, out var protocol) || protocol.Length < 2 || protocol[^1] != ':')
            {
                continue;
            }

            protocol = protocol[..^1];
            if (protocol.SequenceEqual("sockets"u8))
            {
                if (TryFindValue(line, "used"u8, out var used))
                {
                    sink.Single("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", MetricType.Gauge, used);
                }

                continue;
            }

            values.Clear();
            present.Clear();
            while (Span.NextField(ref line, out var key) && Span.NextField(ref line, out var valueField))
            {
                if (!Span.TryParseInt64(valueField, out var value))
                {
                    continue;
                }

                for (var k = 0; k < Keys.Length; k++)
                {
                    if (key.SequenceEqual(Keys[k]))
                    {
                        values[k] = value;
                        present[k] = true;
                    }
                }
            }

            present[InUse] = true;
            for (var k = 0; k < Keys.Length; k++)
            {
                if (present[k])
                {
                    Emit(sink, protocol, Keys[k], values[k]);
                }
            }

            if (present[Mem])
            {
                Emit(sink, protocol, "mem_bytes"u8, values[Mem] * (double)Environment.SystemPageSize);
            }
        }
    }

    private void Emit(MetricSink sink, ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> key, double value)
    {
        var prefix = "node_sockstat_"u8;
        var length = prefix.Length + protocol.Length + 1 + key.Length;
        if (length > _nameBuffer.Length)
        {
            return;
        }

        var buffer = _nameBuffer.AsSpan();
        prefix.CopyTo(buffer);
        protocol.CopyTo(buffer[prefix.Length..]);
        buffer[prefix.Length + protocol.Length] = (byte)'_';
        key.CopyTo(buffer[(prefix.Length + protocol.Length + 1)..]);
        var name = _names.Get(buffer[..length]);
        if (!_helps.TryGetValue(name, out var help))
        {
            help = $"Number of {Span.ToText(protocol)} sockets in state {Span.ToText(key)}.";
            _helps[name] = help;
        }

        sink.Family(name, help, MetricType.Gauge, NoLabels).Add(value);
    }

    private static bool TryFindValue(ReadOnlySpan<byte> pairs, ReadOnlySpan<byte> wanted, out long value)
    {
        while (Span.NextField(ref pairs, out var key) && Span.NextField(ref pairs, out var field))
        {
            if (key.SequenceEqual(wanted) && Span.TryParseInt64(field, out value))
            {
                return true;
            }
        }

        value = 0;
        return false;
    }
}
