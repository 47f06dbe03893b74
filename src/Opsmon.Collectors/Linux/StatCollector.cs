using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// Kernel and system counters from /proc/stat (interrupts, context switches, forks, boot time, runnable and
/// blocked processes), as node_exporter's stat collector. A line a kernel does not have is left out.
/// </summary>
public sealed class StatCollector(CollectorContext context) : ICollector
{
    private readonly ProcFile _file = new(8 * 1024);
    private readonly string _path = context.Root.Proc("stat");

    public string Name => "stat";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!Span.NextField(ref line, out var key))
            {
                continue;
            }

            if (key.SequenceEqual("intr"u8))
            {
                // Only the total (first number); per-IRQ counts belong to an interrupts collector.
                sink.Single("node_intr_total", "Total number of interrupts serviced.", MetricType.Counter, Value(key, line));
            }
            else if (key.SequenceEqual("ctxt"u8))
            {
                sink.Single("node_context_switches_total", "Total number of context switches.", MetricType.Counter, Value(key, line));
            }
            else if (key.SequenceEqual("processes"u8))
            {
                sink.Single("node_forks_total", "Total number of forks.", MetricType.Counter, Value(key, line));
            }
            else if (key.SequenceEqual("btime"u8))
            {
                sink.Single("node_boot_time_seconds", "Node boot time, in unixtime.", MetricType.Gauge, Value(key, line));
            }
            else if (key.SequenceEqual("procs_running"u8))
            {
                sink.Single("node_procs_running", "Number of processes in runnable state.", MetricType.Gauge, Value(key, line));
            }
            else if (key.SequenceEqual("procs_blocked"u8))
            {
                sink.Single("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", MetricType.Gauge, Value(key, line));
            }
        }
    }

    private double Value(ReadOnlySpan<byte> key, ReadOnlySpan<byte> rest) =>
        Span.NextField(ref rest, out var field) && Span.TryParseUInt64(field, out var value)
            ? value
            : throw new FormatException($"{_path}: '{Span.ToText(key)}' is not followed by a number");
}
