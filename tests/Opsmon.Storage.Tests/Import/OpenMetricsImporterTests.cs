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

    private string Write(string text)
    {
        var path = Path.Combine(_dir.Path, "input.om");
        File.WriteAllText(path, text);
        return path;
    }
}
