using Opsmon.Core.Metrics;
using Opsmon.Core.Series;
using Opsmon.Storage.Head;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Head;

public sealed class HeadTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Tsdb _tsdb;

    public HeadTests() => _tsdb = Tsdb.Open(new TsdbOptions(_dir.Path) { WalSync = Opsmon.Storage.Wal.WalSyncMode.Never });

    public void Dispose()
    {
        _tsdb.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Out_of_order_samples_are_rejected_and_counted()
    {
        var series = Series("m");
        var appender = _tsdb.Appender();
        appender.Append(series, 2000, 1);
        appender.Append(series, 1000, 2);
        appender.Append(series, 2000, 3);
        appender.Commit();

        Assert.Equal([(2000L, 1.0)], Samples(_tsdb.Select(0, 5000, [LabelMatcher.Equal("__name__", "m")]).Single()));
        Assert.Equal(2, _tsdb.Stats.OutOfOrderSamples);
    }

    [Fact]
    public void A_duplicate_sample_with_the_same_value_is_ignored()
    {
        var series = Series("m");
        var appender = _tsdb.Appender();
        appender.Append(series, 2000, 1);
        appender.Append(series, 2000, 1);
        appender.Commit();

        Assert.Single(Samples(_tsdb.Select(0, 5000, [LabelMatcher.Equal("__name__", "m")]).Single()));
        Assert.Equal(0, _tsdb.Stats.OutOfOrderSamples);
        Assert.Equal(1, _tsdb.Stats.DuplicateSamples);
    }

    [Fact]
    public void Samples_become_visible_only_on_commit()
    {
        var appender = _tsdb.Appender();
        appender.Append(Series("m"), 1000, 1);
        Assert.Empty(_tsdb.Select(0, 5000, [LabelMatcher.Equal("__name__", "m")]));
        appender.Commit();
        Assert.Single(_tsdb.Select(0, 5000, [LabelMatcher.Equal("__name__", "m")]));
    }

    [Fact]
    public void Chunks_are_cut_every_120_samples_and_read_back_in_order()
    {
        var series = Series("m");
        Fill(_tsdb, [series], 0, 500);
        var samples = Samples(_tsdb.Select(0, long.MaxValue, [LabelMatcher.Equal("__name__", "m")]).Single());
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (i * 15_000L, (double)i)), samples);
    }

    [Fact]
    public void Scrape_appender_marks_vanished_series_stale_at_the_next_scrape_time()
    {
        var scrape = _tsdb.ScrapeAppender();
        scrape.Append(Series("a"), 1000, 1);
        scrape.Append(Series("b"), 1000, 1);
        scrape.Commit();
        scrape.Append(Series("a"), 16_000, 2);
        scrape.Commit();
        scrape.Append(Series("a"), 31_000, 3);
        scrape.Commit();

        var b = Samples(_tsdb.Select(0, 60_000, [LabelMatcher.Equal("__name__", "b")]).Single());
        Assert.Equal(2, b.Count);
        Assert.Equal(16_000, b[1].T);
        Assert.True(StaleNaN.Is(b[1].V));
        Assert.DoesNotContain(Samples(_tsdb.Select(0, 60_000, [LabelMatcher.Equal("__name__", "a")]).Single()), s => double.IsNaN(s.V));
    }

    [Fact]
    public void An_empty_scrape_marks_every_previous_series_stale()
    {
        var scrape = _tsdb.ScrapeAppender();
        scrape.Append(Series("a"), 1000, 1);
        scrape.Commit();
        scrape.Commit(16_000);

        var a = Samples(_tsdb.Select(0, 60_000, [LabelMatcher.Equal("__name__", "a")]).Single());
        Assert.True(StaleNaN.Is(a[^1].V));
        Assert.Equal(16_000, a[^1].T);
    }

    [Fact]
    public void A_collection_of_families_is_stored_as_one_scrape_with_staleness()
    {
        var scrape = _tsdb.ScrapeAppender();
        var first = new MetricFamily("node_load1", "Load.", MetricType.Gauge);
        first.Add(0.5);
        var cpu = new MetricFamily("node_cpu_seconds_total", "CPU.", MetricType.Counter, "cpu", "mode");
        cpu.Add(10, "0", "idle").Add(2, "0", "user");
        scrape.AppendScrape([first, cpu], 15_000);
        var second = new MetricFamily("node_cpu_seconds_total", "CPU.", MetricType.Counter, "cpu", "mode");
        second.Add(11, "0", "idle");
        scrape.AppendScrape([second], 30_000);

        var dump = Dump(_tsdb);
        Assert.Equal([(15_000L, 10.0), (30_000L, 11.0)], dump["node_cpu_seconds_total{cpu=\"0\", mode=\"idle\"}"]);
        Assert.True(StaleNaN.Is(dump["node_load1{}"][^1].V));
        Assert.True(StaleNaN.Is(dump["node_cpu_seconds_total{cpu=\"0\", mode=\"user\"}"][^1].V));
    }
}
