using Opsmon.Core.Series;
using Opsmon.Storage.Import;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Import;

public sealed class OpenMetricsImporterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_valid_file_is_imported_into_blocks_and_queryable()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write("""
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{code="200",path="/a \"q\""} 10 1700000000
            http_requests_total{code="200",path="/a \"q\""} 12.5 1700000015.5
            http_requests_total{code="500"} +Inf 1700000000
            # TYPE temp gauge
            # UNIT temp celsius
            temp 21.5 1700000000 # {trace_id="x"} 1 1700000000
            # EOF
            """));

        Assert.True(result.Success, result.ToString());
        Assert.Equal((4L, 3), (result.Samples, result.Series));
        var dump = Dump(tsdb);
        Assert.Equal([(1_700_000_000_000L, 10.0), (1_700_000_015_500L, 12.5)], dump["http_requests_total{code=\"200\", path=\"/a \\\"q\\\"\"}"]);
        Assert.Equal(double.PositiveInfinity, dump["http_requests_total{code=\"500\"}"].Single().V);
        Assert.NotEmpty(tsdb.Blocks);
    }

    [Fact]
    public void An_error_reports_its_line_and_stores_nothing()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write("""
            a 1 1700000000
            a 2 1700000015
            a{b="c" 3 1700000030
            # EOF
            """));

        Assert.False(result.Success);
        Assert.Equal(3, result.Line);
        Assert.Empty(tsdb.Blocks);
        Assert.Empty(Dump(tsdb));
        Assert.DoesNotContain(Directory.GetDirectories(_dir.Path), d => !d.EndsWith("wal", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_without_eof_is_rejected()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write("a 1 1700000000\n"));
        Assert.False(result.Success);
        Assert.Contains("# EOF", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sample_without_timestamp_is_rejected()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write("a 1\n# EOF\n"));
        Assert.Equal((false, 1), (result.Success, result.Line));
    }

    [Fact]
    public void Samples_out_of_time_order_are_sorted_and_span_several_blocks()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var lines = Enumerable.Range(0, 2000).Reverse().Select(i => $"a 1 {1_600_000_000 + (i * 600)}");
        var result = tsdb.Import(Write(string.Join('\n', lines) + "\n# EOF\n"));

        Assert.True(result.Success, result.ToString());
        Assert.True(result.Blocks > 1);
        var samples = Dump(tsdb).Single().Value;
        Assert.Equal(2000, samples.Count);
        Assert.Equal(samples.OrderBy(s => s.T), samples);
    }

    [Fact]
    public void Imported_data_overlapping_the_head_is_merged_in_queries()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var appender = tsdb.Appender();
        appender.Append(Series("a"), 1_700_000_015_000, 2);
        appender.Commit();
        var result = tsdb.Import(Write("a 1 1700000000\na 3 1700000030\n# EOF\n"));

        Assert.True(result.Success);
        Assert.Equal([1.0, 2.0, 3.0], Dump(tsdb).Single().Value.Select(s => s.V));
    }

    [Fact]
    public void Of_samples_with_equal_timestamps_the_last_in_the_file_wins()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write("a 1 1700000030\na 2 1700000000\na 3 1700000030\na 4 1700000015\na 5 1700000000\n# EOF\n"));

        Assert.True(result.Success, result.ToString());
        Assert.Equal([(1_700_000_000_000L, 5.0), (1_700_000_015_000L, 4.0), (1_700_000_030_000L, 3.0)], Dump(tsdb).Single().Value);
    }

    [Fact]
    public void A_series_late_in_the_file_going_back_in_time_is_merged_with_its_sealed_chunks()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var lines = Enumerable.Range(0, 3000).Select(i => $"a {i * 0.01:0.00} {1_700_000_000 + (i * 15)}")
            .Append("b 1 1700000000")
            .Append($"a 7 {1_700_000_000 + (1500 * 15)}")
            .Append("a 8 1600000000");
        var result = tsdb.Import(Write(string.Join('\n', lines) + "\n# EOF\n"));

        Assert.True(result.Success, result.ToString());
        var samples = Dump(tsdb)["a{}"];
        Assert.Equal(3001, samples.Count);
        Assert.Equal((1_600_000_000_000L, 8.0), samples[0]);
        Assert.Equal(7.0, samples.Single(s => s.T == (1_700_000_000L + (1500 * 15)) * 1000).V);
        Assert.Equal(29.99, samples[^1].V);
    }

    [Fact]
    public void An_error_on_a_late_line_stores_nothing_of_the_lines_before()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var lines = Enumerable.Range(0, 5000).Select(i => $"a{{cpu=\"{i % 4}\"}} {i} {1_700_000_000 + (i * 15)}").Append("a{cpu=\"0\"} one 1800000000");
        var result = tsdb.Import(Write(string.Join('\n', lines) + "\n# EOF\n"));

        Assert.Equal((false, 5001), (result.Success, result.Line));
        Assert.Contains("invalid value 'one'", result.Error, StringComparison.Ordinal);
        Assert.Empty(tsdb.Blocks);
        Assert.Empty(Dump(tsdb));
    }

    [Fact]
    public void Crlf_line_ends_a_last_line_without_newline_and_a_line_longer_than_the_read_buffer_are_read()
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var longValue = new string('x', 3 << 20);
        var result = tsdb.Import(Write($"a 1 1700000000\r\nb{{long=\"{longValue}\"}} 2 1700000000.5\r\n# EOF"));

        Assert.True(result.Success, result.ToString());
        var dump = Dump(tsdb);
        Assert.Equal([(1_700_000_000_000L, 1.0)], dump["a{}"]);
        Assert.Equal([(1_700_000_000_500L, 2.0)], dump.Single(d => d.Key.StartsWith('b')).Value);
    }

    [Fact]
    public void Values_are_parsed_to_the_same_bits_as_double_parse()
    {
        var random = new Random(17);
        var texts = new List<string> { "0", "-0", "0.0", "-0.000", ".5", "5.", "123456789012345", "1234567890123456", "0.000000000000001", "1e3", "-2.5E-7", "999999999999999.9" };
        for (var i = 0; i < 3000; i++)
        {
            var value = random.Next(3) switch
            {
                0 => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(0, 16)), random.Next(0, 8)),
                1 => random.NextInt64(-1L << 53, 1L << 53) / Math.Pow(10, random.Next(0, 23)),
                _ => BitConverter.Int64BitsToDouble(random.NextInt64()),
            };
            if (double.IsFinite(value))
            {
                texts.Add(value.ToString(random.Next(2) == 0 ? "R" : "F" + random.Next(0, 10), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write(string.Join('\n', texts.Select((t, i) => $"a {t} {1_700_000_000 + i}")) + "\n# EOF\n"));

        Assert.True(result.Success, result.ToString());
        var expected = texts.Select(t => BitConverter.DoubleToUInt64Bits(double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, Dump(tsdb).Single().Value.Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
    }

    [Theory]
    [InlineData("1700000000", 1_700_000_000_000L)]
    [InlineData("1700000000.1", 1_700_000_000_100L)]
    [InlineData("1700000000.123", 1_700_000_000_123L)]
    [InlineData("1700000000.1236", 1_700_000_000_124L)]
    [InlineData("1.7e9", 1_700_000_000_000L)]
    [InlineData("-1.5", -1_500L)]
    public void Timestamps_in_seconds_become_milliseconds(string seconds, long expected)
    {
        using var tsdb = Tsdb.Open(new TsdbOptions(_dir.Path));
        var result = tsdb.Import(Write($"a 1 {seconds}\n# EOF\n"));

        Assert.True(result.Success, result.ToString());
        Assert.Equal(expected, Dump(tsdb).Single().Value.Single().T);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir.Path, "input.om");
        File.WriteAllText(path, text);
        return path;
    }
}
