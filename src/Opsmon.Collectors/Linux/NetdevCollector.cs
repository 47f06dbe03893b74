using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_network_{receive,transmit}_*_total from /proc/net/dev, named as node_exporter 1.5 names them. (1.5 reads
/// rtnetlink by default and maps the link statistics back to these same names and values; that path adds only
/// receive_nohandler_total, which /proc/net/dev does not show.)
/// </summary>
public sealed class NetdevCollector(CollectorContext context) : ICollector
{
    private static readonly string[] DeviceLabel = ["device"];

    /// <summary>The 16 columns of /proc/net/dev after "name:", in file order (net/core/net-procfs.c dev_seq_printf_stats).</summary>
    private static readonly IReadOnlyList<string> Columns =
    [
        "receive_bytes", "receive_packets", "receive_errs", "receive_drop",
        "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
        "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop",
        "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
    ];

    private static readonly IReadOnlyList<(string Name, string Help)> Metrics =
        [.. Columns.Select(c => ($"node_network_{c}_total", $"Network device statistic {c}."))];

    private readonly ProcFile _file = new();
    private readonly NameCache _names = new();
    private readonly string _path = context.Root.Proc("net/dev");

    public string Name => "netdev";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var families = new MetricFamily[Metrics.Count];
        for (var i = 0; i < families.Length; i++)
        {
            families[i] = sink.Family(Metrics[i].Name, Metrics[i].Help, MetricType.Counter, DeviceLabel);
        }

        var rest = content;

        // Two header lines ("Inter-| Receive ..." and " face |bytes ...").
        Span.NextLine(ref rest, out _);
        Span.NextLine(ref rest, out _);
        while (Span.NextLine(ref rest, out var line))
        {
            // The name is right-aligned before the last colon; large counters may follow it with no space.
            var colon = line.LastIndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }

            var name = Span.Trim(line[..colon]);
            if (name.IsEmpty)
            {
                continue;
            }

            var device = _names.Label(name);
            var fields = line[(colon + 1)..];
            for (var i = 0; i < families.Length; i++)
            {
                if (!Span.NextField(ref fields, out var field) || !Span.TryParseUInt64(field, out var value))
                {
                    break;
                }

                families[i].Add(value, device);
            }
        }
    }
}
