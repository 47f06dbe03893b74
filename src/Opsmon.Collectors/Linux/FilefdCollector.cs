using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>node_filefd_allocated and node_filefd_maximum from /proc/sys/fs/file-nr, as node_exporter's filefd collector.</summary>
public sealed class FilefdCollector(CollectorContext context) : ICollector
{
    private readonly ProcFile _file = new(128);
    private readonly string _path = context.Root.Proc("sys/fs/file-nr");

    public string Name => "filefd";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        // "allocated  free  maximum"; the middle field has been 0 since Linux 2.6 and is not exported.
        var rest = content;
        if (!Span.NextField(ref rest, out var allocated) || !Span.TryParseUInt64(allocated, out var allocatedValue)
            || !Span.NextField(ref rest, out _)
            || !Span.NextField(ref rest, out var maximum) || !Span.TryParseUInt64(maximum, out var maximumValue))
        {
            throw new FormatException($"{_path}: expected 'allocated free maximum', got '{Span.ToText(Span.Trim(content))}'");
        }

        sink.Single("node_filefd_allocated", "File descriptor statistics: allocated.", MetricType.Gauge, allocatedValue);
        sink.Single("node_filefd_maximum", "File descriptor statistics: maximum.", MetricType.Gauge, maximumValue);
    }
}
