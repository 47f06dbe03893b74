using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// Pressure stall information from /proc/pressure/{cpu,io,memory,irq}, as node_exporter's pressure collector:
/// the <c>total=</c> field (µs) in seconds, "some" as <c>_waiting_</c> and "full" as <c>_stalled_</c>.
/// Like node_exporter, cpu reports only "some" (its "full" line, on newer kernels, is not exported) and irq
/// (Linux ≥ 6.1) only "full". A missing resource file is skipped; no file at all means no PSI on this kernel.
/// </summary>
public sealed class PressureCollector(CollectorContext context) : ICollector
{
    private static readonly Resource[] Resources =
    [
        new("cpu",
            new("node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time"),
            null),
        new("io",
            new("node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion"),
            new("node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion")),
        new("memory",
            new("node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory"),
            new("node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion")),
        new("irq",
            null,
            new("node_pressure_irq_stalled_seconds_total", "Total time in seconds no process could make progress due to IRQ congestion")),
    ];

    private readonly ProcFile _file = new(512);
    private readonly string[] _paths = [.. Resources.Select(r => context.Root.Proc("pressure/" + r.Name))];

    public string Name => "pressure";

    public void Update(MetricSink sink)
    {
        var found = 0;
        for (var i = 0; i < Resources.Length; i++)
        {
            // Also false when PSI is compiled in but off (psi=0): reading then fails with EOPNOTSUPP.
            if (!_file.TryRead(_paths[i], out var content))
            {
                continue;
            }

            found++;
            var resource = Resources[i];
            var rest = content;
            while (Span.NextLine(ref rest, out var line))
            {
                if (!Span.NextField(ref line, out var kind))
                {
                    continue;
                }

                var metric = kind.SequenceEqual("some"u8) ? resource.Some
                    : kind.SequenceEqual("full"u8) ? resource.Full
                    : null;
                if (metric is not null && TryTotal(line, out var micros))
                {
                    var family = sink.Family(metric.Name, metric.Help, MetricType.Counter);
                    if (family.Samples.Count == 0)
                    {
                        family.Add(micros / 1000.0 / 1000.0);
                    }
                }
            }
        }

        if (found == 0)
        {
            throw new NoDataException("pressure information is unavailable: it needs Linux >= 4.20 with CONFIG_PSI (and not psi=0)");
        }
    }

    /// <summary>The value of the "total=" field of a PSI line (after its some/full word).</summary>
    private static bool TryTotal(ReadOnlySpan<byte> rest, out ulong micros)
    {
        while (Span.NextField(ref rest, out var field))
        {
            if (field.StartsWith("total="u8))
            {
                return Span.TryParseUInt64(field["total=".Length..], out micros);
            }
        }

        micros = 0;
        return false;
    }

    private sealed record Metric(string Name, string Help);

    private sealed record Resource(string Name, Metric? Some, Metric? Full);
}
