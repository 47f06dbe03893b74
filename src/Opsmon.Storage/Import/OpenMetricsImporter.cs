using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Storage.Blocks;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Import;

/// <summary>
/// Backfills OpenMetrics text with timestamps (what <c>promtool tsdb create-blocks-from openmetrics</c> reads):
/// <c># TYPE</c>/<c># HELP</c>/<c># UNIT</c> lines, samples <c>name{labels} value timestamp_seconds</c> and a final
/// <c># EOF</c>. The whole file is parsed before anything is written, and blocks are staged then moved in, so a
/// file either lands entirely or not at all. Blocks are cut at the largest compaction range.
/// See https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md.
/// </summary>
public sealed class OpenMetricsImporter(Tsdb tsdb)
{
    private static readonly string[] MetricTypes = ["counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown"];

    public ImportResult ImportFile(string path)
    {
        try
        {
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            return Import(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ImportResult.Failed(0, $"{path}: {e.Message}");
        }
    }

    public ImportResult Import(TextReader reader)
    {
        var series = new Dictionary<string, SeriesSamples>(StringComparer.Ordinal);
        var lookup = series.GetAlternateLookup<ReadOnlySpan<char>>();
        var lineNumber = 0;
        var eof = false;
        long sampleCount = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (eof)
            {
                return ImportResult.Failed(lineNumber, "content after # EOF");
            }

            var span = line.AsSpan();
            if (span.Length > 0 && span[0] == '#')
            {
                var error = ParseComment(span, ref eof);
                if (error is not null)
                {
                    return ImportResult.Failed(lineNumber, error);
                }

                continue;
            }

            if (span.IsEmpty)
            {
                return ImportResult.Failed(lineNumber, "empty line (OpenMetrics allows none)");
            }

            var sampleError = ParseSample(span, out var key, out var timestamp, out var value);
            if (sampleError is not null)
            {
                return ImportResult.Failed(lineNumber, sampleError);
            }

            if (!lookup.TryGetValue(key, out var samples))
            {
                var labelsError = ParseLabels(key, out var labels);
                if (labelsError is not null)
                {
                    return ImportResult.Failed(lineNumber, labelsError);
                }

                samples = new SeriesSamples(labels!);
                series[key.ToString()] = samples;
            }

            samples.Add(timestamp, value);
            sampleCount++;
        }

        if (!eof)
        {
            return ImportResult.Failed(lineNumber + 1, "missing # EOF at the end of the file");
        }

        return Write(series.Values, sampleCount);
    }

    private ImportResult Write(IEnumerable<SeriesSamples> all, long sampleCount)
    {
        var range = tsdb.ImportBlockRange;
        var windows = new SortedDictionary<long, List<(Labels Labels, IReadOnlyList<ChunkToWrite> Chunks)>>();
        var seriesCount = 0;
        foreach (var samples in all.OrderBy(s => s.Labels))
        {
            seriesCount++;
            samples.SortAndDeduplicate();
            var start = 0;
            while (start < samples.Count)
            {
                var window = Compactor.FloorDiv(samples.Timestamps[start], range);
                var end = start;
                while (end < samples.Count && Compactor.FloorDiv(samples.Timestamps[end], range) == window)
                {
                    end++;
                }

                if (!windows.TryGetValue(window, out var list))
                {
                    list = [];
                    windows[window] = list;
                }

                list.Add((samples.Labels, Compactor.Encode(new ListIterator(samples, start, end))));
                start = end;
            }
        }

        var staging = Path.Combine(tsdb.Options.DataDirectory, "import-" + Ulid.New(tsdb.Options.Time) + ".tmp");
        try
        {
            Directory.CreateDirectory(staging);
            var metas = new List<BlockMeta>();
            foreach (var list in windows.Values)
            {
                var meta = tsdb.WriteBlock(staging, list, 1, []);
                if (meta is not null)
                {
                    metas.Add(meta);
                }
            }

            tsdb.AdoptBlocks(staging, metas);
            Directory.Delete(staging, recursive: true);
            return new ImportResult(true, sampleCount, seriesCount, metas.Count, 0, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            return ImportResult.Failed(0, $"writing blocks failed: {e.Message}");
        }
    }

    private static string? ParseComment(ReadOnlySpan<char> line, ref bool eof)
    {
        if (line.SequenceEqual("# EOF"))
        {
            eof = true;
            return null;
        }

        if (line.StartsWith("# TYPE "))
        {
            var rest = line["# TYPE ".Length..];
            var space = rest.IndexOf(' ');
            if (space <= 0 || !IsMetricName(rest[..space]))
            {
                return "# TYPE needs a metric name and a type";
            }

            var type = rest[(space + 1)..].ToString();
            return MetricTypes.Contains(type, StringComparer.Ordinal)
                ? null
                : $"unknown metric type '{type}' (valid: {string.Join(", ", MetricTypes)})";
        }

        if (line.StartsWith("# HELP ") || line.StartsWith("# UNIT "))
        {
            return null;
        }

        return "unexpected comment (OpenMetrics allows # TYPE, # HELP, # UNIT and # EOF)";
    }

    /// <summary>Splits a sample line into its series text (name and labels), value and timestamp.</summary>
    private static string? ParseSample(ReadOnlySpan<char> line, out ReadOnlySpan<char> key, out long timestamp, out double value)
    {
        key = default;
        timestamp = 0;
        value = 0;
        var keyEnd = line.IndexOfAny('{', ' ');
        if (keyEnd <= 0)
        {
            return "expected 'name{labels} value timestamp'";
        }

        if (line[keyEnd] == '{')
        {
            var inQuotes = false;
            var i = keyEnd + 1;
            for (; i < line.Length; i++)
            {
                var c = line[i];
                if (inQuotes && c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (!inQuotes && c == '}')
                {
                    break;
                }
            }

            if (i >= line.Length)
            {
                return "unterminated label set";
            }

            keyEnd = i + 1;
        }

        key = line[..keyEnd];
        var rest = line[keyEnd..];
        if (rest.Length == 0 || rest[0] != ' ')
        {
            return "expected a space and a value after the series";
        }

        rest = rest[1..];
        var exemplar = rest.IndexOf(" # ");
        if (exemplar >= 0)
        {
            rest = rest[..exemplar];
        }

        var space = rest.IndexOf(' ');
        if (space < 0)
        {
            return "sample has no timestamp; import needs one per sample";
        }

        if (!TryParseValue(rest[..space], out value))
        {
            return $"invalid value '{rest[..space]}'";
        }

        var ts = rest[(space + 1)..];
        if (!double.TryParse(ts, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
        {
            return $"invalid timestamp '{ts}' (seconds since the epoch)";
        }

        timestamp = (long)Math.Round(seconds * 1000);
        return null;
    }

    private static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        switch (text)
        {
            case "+Inf":
            case "Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
        }
    }

    private static string? ParseLabels(ReadOnlySpan<char> key, out Labels? labels)
    {
        labels = null;
        var brace = key.IndexOf('{');
        var name = brace < 0 ? key : key[..brace];
        if (!IsMetricName(name))
        {
            return $"invalid metric name '{name}'";
        }

        var pairs = new List<Label> { new(Labels.MetricName, name.ToString()) };
        if (brace >= 0)
        {
            var body = key[(brace + 1)..^1];
            while (!body.IsEmpty)
            {
                var eq = body.IndexOf('=');
                if (eq <= 0 || !IsLabelName(body[..eq]) || eq + 1 >= body.Length || body[eq + 1] != '"')
                {
                    return "expected label name=\"value\"";
                }

                var labelName = body[..eq].ToString();
                var sb = new System.Text.StringBuilder();
                var i = eq + 2;
                for (; i < body.Length && body[i] != '"'; i++)
                {
                    if (body[i] == '\\' && i + 1 < body.Length)
                    {
                        i++;
                        sb.Append(body[i] switch { 'n' => '\n', var c => c });
                    }
                    else
                    {
                        sb.Append(body[i]);
                    }
                }

                if (i >= body.Length)
                {
                    return $"unterminated value of label '{labelName}'";
                }

                if (pairs.Exists(p => p.Name == labelName))
                {
                    return $"duplicate label '{labelName}'";
                }

                pairs.Add(new Label(labelName, sb.ToString()));
                body = body[(i + 1)..];
                if (!body.IsEmpty)
                {
                    if (body[0] != ',')
                    {
                        return "expected ',' between labels";
                    }

                    body = body[1..];
                }
            }
        }

        labels = Labels.From(pairs);
        return null;
    }

    private static bool IsMetricName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != ':')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLabelName(ReadOnlySpan<char> name) => IsMetricName(name) && !name.Contains(':');

    private sealed class SeriesSamples(Labels labels)
    {
        private List<long> _timestamps = [];
        private List<double> _values = [];
        private bool _sorted = true;

        public Labels Labels { get; } = labels;

        public int Count => _timestamps.Count;

        public List<long> Timestamps => _timestamps;

        public List<double> Values => _values;

        public void Add(long timestamp, double value)
        {
            if (_timestamps.Count > 0 && timestamp <= _timestamps[^1])
            {
                _sorted = false;
            }

            _timestamps.Add(timestamp);
            _values.Add(value);
        }

        /// <summary>Orders samples by time; of equal timestamps the last in the file wins.</summary>
        public void SortAndDeduplicate()
        {
            if (_sorted)
            {
                return;
            }

            var order = Enumerable.Range(0, _timestamps.Count).OrderBy(i => _timestamps[i]).ThenBy(i => i).ToList();
            var timestamps = new List<long>(order.Count);
            var values = new List<double>(order.Count);
            foreach (var i in order)
            {
                if (timestamps.Count > 0 && timestamps[^1] == _timestamps[i])
                {
                    values[^1] = _values[i];
                    continue;
                }

                timestamps.Add(_timestamps[i]);
                values.Add(_values[i]);
            }

            (_timestamps, _values, _sorted) = (timestamps, values, true);
        }
    }

    private sealed class ListIterator(SeriesSamples samples, int start, int end) : ISampleIterator
    {
        private int _index = start - 1;

        public long Timestamp => samples.Timestamps[_index];

        public double Value => samples.Values[_index];

        public bool MoveNext() => ++_index < end;
    }
}
