using Opsmon.Core.Series;
using Opsmon.Query.PromqlTest;

namespace Opsmon.Query.Tests;

/// <summary>
/// A range query steps range functions series by series with a sliding window; every step must still equal the
/// instant query at that time, whatever the data (gaps, counter resets, staleness markers, irregular scrapes).
/// </summary>
public sealed class RangeEvaluationTests
{
    private const long Start = 600_000;
    private const long End = 7_200_000;

    public static TheoryData<string> Queries() =>
    [
        "rate(c[5m])", "increase(c[5m])", "delta(g[5m])", "irate(c[2m])", "idelta(g[2m])", "deriv(g[10m])",
        "changes(g[5m])", "resets(c[15m])", "avg_over_time(g[5m])", "sum_over_time(g[5m])", "count_over_time(g[3m])",
        "min_over_time(g[5m])", "max_over_time(g[5m])", "stddev_over_time(g[5m])", "stdvar_over_time(g[5m])",
        "last_over_time(g[5m])", "present_over_time(g[1m])", "rate(c[5m] offset 7m)", "rate(c[5m] @ 3000)",
        "max_over_time(g[5m] @ 4000)", "last_over_time({__name__=~\"c|g\"}[5m] offset -2m)",
        "sum by (job) (rate(c[5m]))", "topk(2, rate(c[5m]))", "rate(c[5m]) / on (job) group_left max_over_time(g[5m])",
        "max_over_time(rate(c[5m])[10m:1m])", "sum without (job) (count_over_time(c[5m]))",
        "sum(rate(c[5m]))", "topk(1, g)", "bottomk(1, rate(c[5m]))", "quantile(0.5, g)", "count(g > 50)",
        "1 - g / on (job) g", "g > bool 50", "-g * 2", "g and on (job) c", "g unless g > 50",
        "histogram_quantile(0.9, rate(h_bucket[5m]))", "histogram_quantile(0.5, sum by (le) (rate(h_bucket[5m])))",
        "histogram_quantile(0.99, h_bucket)",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public void Every_step_of_a_range_query_equals_the_instant_query_at_that_time(string query)
    {
        var engine = new QueryEngine(Storage());

        foreach (var step in new[] { 60_000L, 45_000L })
        {
            var range = engine.RangeQuery(query, Start, End, step);
            Assert.True(range.IsSuccess, range.Error);
            var matrix = Assert.IsType<MatrixValue>(range.Value);
            var expected = new Dictionary<Labels, List<Point>>();
            for (var t = Start; t <= End; t += step)
            {
                var instant = Assert.IsType<VectorValue>(engine.InstantQuery(query, t).Value);
                foreach (var sample in instant.Samples)
                {
                    if (!expected.TryGetValue(sample.Metric, out var points))
                    {
                        expected[sample.Metric] = points = [];
                    }

                    points.Add(new Point(t, sample.V));
                }
            }

            Assert.Equal(expected.Keys.Order(), matrix.Series.Select(static s => s.Metric));
            foreach (var series in matrix.Series)
            {
                Assert.Equal(expected[series.Metric], series.Points, static (a, b) => a.T == b.T && a.V.Equals(b.V));
            }
        }
    }

    [Fact]
    public void Range_functions_over_series_that_collide_without_their_name_fail_only_where_both_are_present()
    {
        var storage = new MemoryStorage();
        for (var i = 0; i <= 20; i++)
        {
            storage.Append(Labels.From(("__name__", "x"), ("job", "a")), i * 60_000L, i);
            // y{job="a"} ends at 10m: after its window empties, rate() gives one series per step again.
            if (i <= 10)
            {
                storage.Append(Labels.From(("__name__", "y"), ("job", "a")), i * 60_000L, i);
            }
        }

        var engine = new QueryEngine(storage);

        var overlap = engine.RangeQuery("rate({job=\"a\"}[5m])", 300_000, 600_000, 60_000);
        var after = engine.RangeQuery("rate({job=\"a\"}[5m])", 960_000, 1_200_000, 60_000);

        Assert.Equal(ErrorType.Execution, overlap.ErrorType);
        Assert.Equal("vector cannot contain metrics with the same labelset", overlap.Error);
        Assert.True(after.IsSuccess, after.Error);
        Assert.Equal(5, Assert.Single(Assert.IsType<MatrixValue>(after.Value).Series).Points.Count);
    }

    [Fact]
    public void A_range_query_that_reads_too_many_samples_fails_with_the_limit_error()
    {
        var engine = new QueryEngine(Storage(), new EngineOptions { MaxSamples = 100 }, TimeProvider.System);

        var result = engine.RangeQuery("rate(c[30m])", Start, End, 60_000);

        Assert.Equal(ErrorType.Execution, result.ErrorType);
        Assert.Equal("query processing would load too many samples into memory in query execution", result.Error);
    }

    /// <summary>
    /// Two counters and two gauges with a gap, a counter reset, staleness markers, regular and irregular scrapes, and
    /// a classic histogram per job (three <c>le</c> buckets, one spelled differently in each job).
    /// </summary>
    private static MemoryStorage Storage()
    {
        var storage = new MemoryStorage();
        var random = new Random(7);
        foreach (var job in new[] { "a", "b" })
        {
            var counter = 0.0;
            var (fast, slow) = (0.0, 0.0);
            // Job a is scraped exactly every 15 s, so samples fall on window bounds; job b drifts.
            for (var t = 0L; t <= End + 600_000; t += job == "a" ? 15_000 : 15_000 + random.Next(-2_000, 2_000))
            {
                // A gap of 20 minutes, a counter reset at 1 h and a stale marker before the gap in job b.
                if (t is > 2_400_000 and < 3_600_000)
                {
                    continue;
                }

                counter = t is > 3_600_000 and < 3_620_000 ? 1 : counter + random.Next(0, 50);
                storage.Append(Labels.From(("__name__", "c"), ("job", job)), t, counter);
                var gauge = job == "b" && t is > 2_300_000 and < 2_400_000 ? StaleNaN.Value : Math.Round(random.NextDouble() * 100, 1);
                storage.Append(Labels.From(("__name__", "g"), ("job", job)), t, gauge);
                (fast, slow) = (fast + random.Next(0, 5), slow + random.Next(0, 3));
                storage.Append(Labels.From(("__name__", "h_bucket"), ("job", job), ("le", job == "a" ? "0.1" : "1e-1")), t, fast);
                storage.Append(Labels.From(("__name__", "h_bucket"), ("job", job), ("le", "1")), t, fast + slow);
                storage.Append(Labels.From(("__name__", "h_bucket"), ("job", job), ("le", "+Inf")), t, fast + slow + 1);
            }
        }

        return storage;
    }
}
