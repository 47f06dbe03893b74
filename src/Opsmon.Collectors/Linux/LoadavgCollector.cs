using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>node_load1/5/15 from /proc/loadavg, as node_exporter's loadavg collector.</summary>
public sealed class LoadavgCollector(CollectorContext context) : ICollector
{
    private readonly ProcFile _file = new(256);
    private readonly string _path = context.Root.Proc("loadavg");

    public string Name => "loadavg";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var rest = content;
        ReadOnlySpan<string> names = ["node_load1", "node_load5", "node_load15"];
        ReadOnlySpan<string> helps = ["1m load average.", "5m load average.", "15m load average."];
        for (var i = 0; i < 3; i++)
        {
            if (!Span.NextField(ref rest, out var field) || !Span.TryParseDouble(field, out var value))
            {
                throw new FormatException($"{_path}: expected three load averages, got '{Span.ToText(content)}'");
            }

            sink.Single(names[i], helps[i], MetricType.Gauge, value);
        }
    }
}
