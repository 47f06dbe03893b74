using System.Text.RegularExpressions;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_vmstat_&lt;field&gt; (untyped, as node_exporter) from /proc/vmstat for the fields matching
/// <c>--collector.vmstat.fields</c>. The pattern is tested once per distinct field name, not per scrape.
/// </summary>
public sealed class VmstatCollector : ICollector
{
    /// <summary>node_exporter's default for --collector.vmstat.fields.</summary>
    public const string DefaultFields = "^(oom_kill|pgpg|pswp|pg.*fault).*";

    private readonly ProcFile _file = new(8 * 1024);
    private readonly string _path;
    private readonly Regex _fields;
    private readonly NameCache _keys = new();

    // Field name → its family name and help, or null when the pattern excludes it.
    private readonly Dictionary<string, (string Name, string Help)?> _described = new(StringComparer.Ordinal);

    public VmstatCollector(CollectorContext context, string fields = DefaultFields)
    {
        _path = context.Root.Proc("vmstat");
        _fields = new Regex(fields, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public string Name => "vmstat";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            // node_exporter fails the collector on a line that is not "name number"; we skip that line.
            if (!Span.NextField(ref line, out var key) || !Span.NextField(ref line, out var number)
                || !Span.TryParseDouble(number, out var value))
            {
                continue;
            }

            var described = Describe(_keys.Get(key));
            if (described is var (name, help))
            {
                var family = sink.Family(name, help, MetricType.Untyped);
                if (family.Samples.Count == 0)
                {
                    family.Add(value);
                }
            }
        }
    }

    private (string Name, string Help)? Describe(string key)
    {
        if (!_described.TryGetValue(key, out var described))
        {
            described = _fields.IsMatch(key) ? ("node_vmstat_" + key, $"/proc/vmstat information field {key}.") : null;
            _described.Add(key, described);
        }

        return described;
    }
}
