using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Storage.Blocks;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Import;

/// <summary>
/// Backfills OpenMetrics text with timestamps (what <c>promtool tsdb create-blocks-from openmetrics</c> reads):
/// <c># TYPE</c>/<c># HELP</c>/<c># UNIT</c> lines, samples <c>name{labels} value timestamp_seconds</c> and a final
/// <c># EOF</c>. The file is read once, as UTF-8 bytes, and each series' samples are sealed into compressed chunks
/// as they come (so memory holds about a byte per sample, not the file); nothing is written until the whole file
/// has parsed, and blocks are staged then moved in, so a file either lands entirely or not at all. Blocks are cut
/// at the largest compaction range. See https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md.
/// </summary>
public sealed class OpenMetricsImporter(Tsdb tsdb)
{
    private static readonly string[] MetricTypes = ["counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown"];

    public ImportResult ImportFile(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            return Import(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ImportResult.Failed(0, $"{path}: {e.Message}");
        }
    }

    public ImportResult Import(Stream input)
    {
        var parser = new Parser(tsdb.ImportBlockRange);
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            var read = input.Read(buffer, filled, buffer.Length - filled);
            var end = filled + read;
            var start = 0;
            while (true)
            {
                var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                if (parser.Line(buffer.AsSpan(start, newline)) is { } error)
                {
                    return ImportResult.Failed(parser.LineNumber, error);
                }

                start += newline + 1;
            }

            if (read == 0)
            {
                if (start < end && parser.Line(buffer.AsSpan(start, end - start)) is { } error)
                {
                    return ImportResult.Failed(parser.LineNumber, error);
                }

                break;
            }

            filled = end - start;
            if (filled == buffer.Length)
            {
                // One line longer than the buffer.
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            else
            {
                buffer.AsSpan(start, filled).CopyTo(buffer);
            }
        }

        return parser.Eof
            ? Write(parser.Series, parser.Samples)
            : ImportResult.Failed(parser.LineNumber + 1, "missing # EOF at the end of the file");
    }

    private ImportResult Write(IEnumerable<SeriesBuilder> all, long sampleCount)
    {
        var windows = new SortedDictionary<long, List<(Labels Labels, IReadOnlyList<ChunkToWrite> Chunks)>>();
        var seriesCount = 0;
        foreach (var series in all.OrderBy(s => s.Labels))
        {
            seriesCount++;
            foreach (var group in series.Finish().GroupBy(c => c.Window))
            {
                if (!windows.TryGetValue(group.Key, out var list))
                {
                    list = [];
                    windows[group.Key] = list;
                }

                list.Add((series.Labels, [.. group.Select(c => c.Chunk)]));
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

    /// <summary>Parses lines one by one into per-series builders; remembers the last series, as files group them.</summary>
    private sealed class Parser(long blockRange)
    {
        private readonly Dictionary<string, SeriesBuilder> _series = new(StringComparer.Ordinal);
        private byte[] _lastKey = new byte[256];
        private int _lastKeyLength = -1;
        private SeriesBuilder? _last;
        private char[] _chars = new char[256];

        public int LineNumber { get; private set; }

        public bool Eof { get; private set; }

        public long Samples { get; private set; }

        public IEnumerable<SeriesBuilder> Series => _series.Values;

        /// <summary>Takes one line (without its newline); returns an error or null.</summary>
        public string? Line(ReadOnlySpan<byte> line)
        {
            LineNumber++;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (Eof)
            {
                return "content after # EOF";
            }

            if (line.Length > 0 && line[0] == (byte)'#')
            {
                var eof = false;
                var error = ParseComment(System.Text.Encoding.UTF8.GetString(line), ref eof);
                Eof = eof;
                return error;
            }

            if (line.IsEmpty)
            {
                return "empty line (OpenMetrics allows none)";
            }

            var sampleError = ParseSample(line, out var key, out var timestamp, out var value);
            if (sampleError is not null)
            {
                return sampleError;
            }

            if (_last is null || !key.SequenceEqual(_lastKey.AsSpan(0, _lastKeyLength)))
            {
                var error = Find(key);
                if (error is not null)
                {
                    return error;
                }
            }

            _last!.Add(timestamp, value);
            Samples++;
            return null;
        }

        private string? Find(ReadOnlySpan<byte> key)
        {
            if (_chars.Length < key.Length)
            {
                _chars = new char[key.Length * 2];
            }

            var chars = _chars.AsSpan(0, System.Text.Encoding.UTF8.GetChars(key, _chars));
            if (!_series.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var series))
            {
                var labelsError = ParseLabels(chars, out var labels);
                if (labelsError is not null)
                {
                    return labelsError;
                }

                series = new SeriesBuilder(labels!, blockRange);
                _series[chars.ToString()] = series;
            }

            if (_lastKey.Length < key.Length)
            {
                _lastKey = new byte[key.Length * 2];
            }

            key.CopyTo(_lastKey);
            _lastKeyLength = key.Length;
            _last = series;
            return null;
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
    private static string? ParseSample(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out long timestamp, out double value)
    {
        key = default;
        timestamp = 0;
        value = 0;
        var keyEnd = line.IndexOfAny((byte)'{', (byte)' ');
        if (keyEnd <= 0)
        {
            return "expected 'name{labels} value timestamp'";
        }

        if (line[keyEnd] == (byte)'{')
        {
            // Bytes of multi-byte UTF-8 characters are all >= 0x80, so the ASCII delimiters can be scanned for directly.
            var inQuotes = false;
            var i = keyEnd + 1;
            for (; i < line.Length; i++)
            {
                var c = line[i];
                if (inQuotes && c == (byte)'\\')
                {
                    i++;
                }
                else if (c == (byte)'"')
                {
                    inQuotes = !inQuotes;
                }
                else if (!inQuotes && c == (byte)'}')
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
        if (rest.Length == 0 || rest[0] != (byte)' ')
        {
            return "expected a space and a value after the series";
        }

        rest = rest[1..];
        var exemplar = rest.IndexOf(" # "u8);
        if (exemplar >= 0)
        {
            rest = rest[..exemplar];
        }

        var space = rest.IndexOf((byte)' ');
        if (space < 0)
        {
            return "sample has no timestamp; import needs one per sample";
        }

        if (!TryParseValue(rest[..space], out value))
        {
            return $"invalid value '{System.Text.Encoding.UTF8.GetString(rest[..space])}'";
        }

        var ts = rest[(space + 1)..];
        if (!TryParseMilliseconds(ts, out timestamp))
        {
            if (!double.TryParse(ts, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
            {
                return $"invalid timestamp '{System.Text.Encoding.UTF8.GetString(ts)}' (seconds since the epoch)";
            }

            timestamp = (long)Math.Round(seconds * 1000);
        }

        return null;
    }

    /// <summary>
    /// The common form of a timestamp, digits with at most three decimals, straight to milliseconds (what
    /// rounding the parsed seconds times 1000 gives); false for anything else, which goes the general way.
    /// </summary>
    private static bool TryParseMilliseconds(ReadOnlySpan<byte> text, out long milliseconds)
    {
        milliseconds = 0;
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? default : text[(dot + 1)..];
        if (whole.IsEmpty || whole.Length > 15 || fraction.Length > 3 || (dot >= 0 && fraction.IsEmpty))
        {
            return false;
        }

        long seconds = 0;
        foreach (var c in whole)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            seconds = (seconds * 10) + (c - '0');
        }

        long millis = 0;
        for (var i = 0; i < 3; i++)
        {
            var digit = 0;
            if (i < fraction.Length)
            {
                if (fraction[i] is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }

                digit = fraction[i] - '0';
            }

            millis = (millis * 10) + digit;
        }

        milliseconds = (seconds * 1000) + millis;
        return true;
    }

    private static bool TryParseValue(ReadOnlySpan<byte> text, out double value)
    {
        if (text.SequenceEqual("+Inf"u8) || text.SequenceEqual("Inf"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (text.SequenceEqual("-Inf"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }

        if (text.SequenceEqual("NaN"u8))
        {
            value = double.NaN;
            return true;
        }

        return TryParseDecimal(text, out value)
            || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value));
    }

    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// Plain decimals ([-]digits[.digits], at most 15 significant digits) as m / 10^s: with m below 2^53 and s at most
    /// 22 both are exact doubles and the division rounds correctly, so this is what double.Parse gives (Clinger's
    /// fast path); anything else goes the general way.
    /// </summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            text = text[1..];
        }

        if (text.IsEmpty || text.Length > 16)
        {
            return false;
        }

        long mantissa = 0;
        var digits = 0;
        var scale = -1;
        foreach (var c in text)
        {
            if (c == (byte)'.' && scale < 0)
            {
                scale = 0;
                continue;
            }

            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            mantissa = (mantissa * 10) + (c - '0');
            digits++;
            scale += scale >= 0 ? 1 : 0;
        }

        if (digits == 0 || digits > 15 || scale == 0)
        {
            return false;
        }

        var power = Math.Max(scale, 0);
        value = power == 0 ? mantissa : mantissa / PowersOfTen[power];
        value = negative ? -value : value;
        return true;
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

    /// <summary>
    /// One series' samples: while they come in time order they are sealed into chunks as each fills (or crosses a
    /// block window); a sample out of order switches the series to plain arrays, sorted when the file ends.
    /// </summary>
    private sealed class SeriesBuilder(Labels labels, long blockRange)
    {
        private readonly List<(long Window, ChunkToWrite Chunk)> _sealed = [];
        private long[] _timestamps = new long[16];
        private double[] _values = new double[16];
        private int _count;
        private long _window;
        private bool _sorted = true;

        public Labels Labels { get; } = labels;

        public void Add(long timestamp, double value)
        {
            if (_sorted)
            {
                var any = _count > 0 || _sealed.Count > 0;
                var last = _count > 0 ? _timestamps[_count - 1] : any ? _sealed[^1].Chunk.MaxTime : 0;
                if (any && timestamp <= last)
                {
                    Unseal();
                }
                else
                {
                    var window = Compactor.FloorDiv(timestamp, blockRange);
                    if (_count > 0 && (window != _window || _count == PackedChunk.TargetSamples))
                    {
                        _sealed.Add((_window, Compactor.Seal(_timestamps, _values, _count)));
                        _count = 0;
                    }

                    _window = window;
                }
            }

            if (_count == _timestamps.Length)
            {
                Array.Resize(ref _timestamps, _count * 2);
                Array.Resize(ref _values, _count * 2);
            }

            _timestamps[_count] = timestamp;
            _values[_count++] = value;
        }

        /// <summary>All chunks by block window, in time order; of equal timestamps the last in the file wins.</summary>
        public List<(long Window, ChunkToWrite Chunk)> Finish()
        {
            if (_sorted)
            {
                if (_count > 0)
                {
                    _sealed.Add((_window, Compactor.Seal(_timestamps, _values, _count)));
                }

                return _sealed;
            }

            var order = new int[_count];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            var keys = _timestamps.AsSpan(0, _count).ToArray();
            Array.Sort(keys, order);
            var values = new double[_count];
            var unique = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                if (unique > 0 && keys[unique - 1] == keys[i])
                {
                    // Array.Sort is not stable: the sample later in the file is the one with the larger position.
                    if (order[i] > order[unique - 1])
                    {
                        order[unique - 1] = order[i];
                        values[unique - 1] = _values[order[i]];
                    }

                    continue;
                }

                keys[unique] = keys[i];
                order[unique] = order[i];
                values[unique++] = _values[order[i]];
            }

            (_timestamps, _values, _count, _sorted) = (new long[PackedChunk.TargetSamples], new double[PackedChunk.TargetSamples], 0, true);
            for (var i = 0; i < unique; i++)
            {
                Add(keys[i], values[i]);
            }

            return Finish();
        }

        /// <summary>Turns the sealed chunks back into samples, ahead of those not yet sealed.</summary>
        private void Unseal()
        {
            var total = _count + _sealed.Sum(c => c.Chunk.Data.Count);
            var timestamps = new long[Math.Max(total * 2, 16)];
            var values = new double[timestamps.Length];
            var n = 0;
            foreach (var (_, chunk) in _sealed)
            {
                var it = chunk.Data.Iterator();
                while (it.MoveNext())
                {
                    timestamps[n] = it.Timestamp;
                    values[n++] = it.Value;
                }
            }

            _timestamps.AsSpan(0, _count).CopyTo(timestamps.AsSpan(n));
            _values.AsSpan(0, _count).CopyTo(values.AsSpan(n));
            (_timestamps, _values, _count, _sorted) = (timestamps, values, total, false);
            _sealed.Clear();
        }
    }
}
