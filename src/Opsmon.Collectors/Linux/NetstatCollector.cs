using System.Text.RegularExpressions;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_netstat_PROTO_FIELD (untyped) from /proc/net/netstat, /proc/net/snmp and /proc/net/snmp6, filtered like
/// node_exporter 1.5's default --collector.netstat.fields. netstat and snmp hold pairs of lines (a "Proto: names…"
/// header, then "Proto: values…"); snmp6 holds "Ip6InReceives 123" lines split after the first '6'.
/// </summary>
public sealed partial class NetstatCollector(CollectorContext context) : ICollector
{
    private const string Prefix = "node_netstat_";

    private readonly ProcFile _file = new();
    private readonly NameCache _names = new();
    private readonly Dictionary<string, string?> _helps = new(StringComparer.Ordinal);
    private readonly HashSet<string> _emitted = new(StringComparer.Ordinal);
    private readonly string _netstat = context.Root.Proc("net/netstat");
    private readonly string _snmp = context.Root.Proc("net/snmp");
    private readonly string _snmp6 = context.Root.Proc("net/snmp6");
    private readonly byte[] _nameBuffer = new byte[256];

    public string Name => "netstat";

    public void Update(MetricSink sink)
    {
        _emitted.Clear();

        // node_exporter merges the files with later ones winning (snmp6 over snmp over netstat); emitting the
        // first sighting in reverse order gives the same result without a map.
        var any = false;
        if (_file.TryRead(_snmp6, out var content))
        {
            any = true;
            ParseSnmp6(content, sink);
        }

        if (_file.TryRead(_snmp, out content))
        {
            any = true;
            ParsePairs(content, sink);
        }

        if (_file.TryRead(_netstat, out content))
        {
            any = true;
            ParsePairs(content, sink);
        }

        if (!any)
        {
            throw new NoDataException($"none of {_netstat}, {_snmp}, {_snmp6} is readable");
        }
    }

    // v1.5.0's default. The "TCPOFOQueue" (v1.8) and "TCPRcvQDrop" (v1.9) additions are not in it.
    [GeneratedRegex(@"^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultFields();

    private void ParsePairs(ReadOnlySpan<byte> content, MetricSink sink)
    {
        var rest = content;
        while (Span.NextLine(ref rest, out var header))
        {
            if (!Span.NextLine(ref rest, out var values))
            {
                return;
            }

            if (!Span.NextField(ref header, out var protocol) || !Span.NextField(ref values, out var valuesProtocol)
                || !protocol.SequenceEqual(valuesProtocol) || protocol.Length < 2 || protocol[^1] != ':')
            {
                continue;
            }

            protocol = protocol[..^1];
            while (Span.NextField(ref header, out var field) && Span.NextField(ref values, out var valueField))
            {
                Emit(sink, protocol, field, valueField);
            }
        }
    }

    private void ParseSnmp6(ReadOnlySpan<byte> content, MetricSink sink)
    {
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!Span.NextField(ref line, out var key) || !Span.NextField(ref line, out var valueField))
            {
                continue;
            }

            var six = key.IndexOf((byte)'6');
            if (six < 0)
            {
                continue;
            }

            Emit(sink, key[..(six + 1)], key[(six + 1)..], valueField);
        }
    }

    private void Emit(MetricSink sink, ReadOnlySpan<byte> protocol, ReadOnlySpan<byte> field, ReadOnlySpan<byte> valueField)
    {
        var length = Prefix.Length + protocol.Length + 1 + field.Length;
        if (length > _nameBuffer.Length)
        {
            return;
        }

        var buffer = _nameBuffer.AsSpan();
        "node_netstat_"u8.CopyTo(buffer);
        protocol.CopyTo(buffer[Prefix.Length..]);
        buffer[Prefix.Length + protocol.Length] = (byte)'_';
        field.CopyTo(buffer[(Prefix.Length + protocol.Length + 1)..]);
        var name = _names.Get(buffer[..length]);

        // null marks a field the filter drops, so the regex runs once per name, not once per scrape.
        if (!_helps.TryGetValue(name, out var help))
        {
            help = DefaultFields().IsMatch(name.AsSpan(Prefix.Length))
                ? $"Statistic {Span.ToText(protocol)}{Span.ToText(field)}."
                : null;
            _helps[name] = help;
        }

        if (help is null || !Span.TryParseDouble(valueField, out var value) || !_emitted.Add(name))
        {
            return;
        }

        sink.Single(name, help, MetricType.Untyped, value);
    }
}
