using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>histogram_quantile over classic histograms (cumulative <c>le</c> buckets).</summary>
internal static class HistogramFunctions
{
    private const string BucketLabel = "le";
    private const double SmallDeltaTolerance = 1e-12;
    private const double MinNormal = 2.2250738585072014e-308;

    public static IEnumerable<FunctionDef> Definitions() =>
    [
        new("histogram_quantile", [ValueKind.Scalar, ValueKind.Vector], 0, ValueKind.Vector, HistogramQuantile) { CachesPerSeries = true },
    ];

    private static EvalValue HistogramQuantile(FunctionContext ctx)
    {
        var q = ctx.Scalar(0);
        var groups = new Dictionary<Labels, List<(double UpperBound, double Count)>>();
        var order = new List<Labels>();
        foreach (var s in ctx.Vector(1))
        {
            var bucket = BucketOf(ctx.SeriesCache, s.Metric);
            if (bucket.Group is not { } key)
            {
                continue;
            }

            if (!groups.TryGetValue(key, out var buckets))
            {
                buckets = [];
                groups[key] = buckets;
                order.Add(key);
            }

            buckets.Add((bucket.UpperBound, s.V));
        }

        var result = new List<Sample>(order.Count);
        foreach (var key in order)
        {
            result.Add(new Sample(key, ctx.Ts, BucketQuantile(q, groups[key])));
        }

        return new EvalVector(result);
    }

    /// <summary>A bucket series' group (its labels without <c>le</c> and the name; null when <c>le</c> is not a number) and upper bound.</summary>
    private static Bucket BucketOf(Dictionary<Labels, object>? cache, Labels metric)
    {
        if (cache is not null && cache.TryGetValue(metric, out var known))
        {
            return (Bucket)known;
        }

        var bucket = Parser.TryParseNumber(metric.Get(BucketLabel), out var upperBound)
            ? new Bucket(metric.Without(BucketLabel, Labels.MetricName), upperBound)
            : new Bucket(null, double.NaN);
        cache?.Add(metric, bucket);
        return bucket;
    }

    private sealed record Bucket(Labels? Group, double UpperBound);

    /// <summary>Prometheus's bucketQuantile: interpolates linearly inside the bucket holding the rank, after forcing the counts monotonic.</summary>
    internal static double BucketQuantile(double q, List<(double UpperBound, double Count)> buckets)
    {
        if (double.IsNaN(q))
        {
            return double.NaN;
        }

        if (q < 0)
        {
            return double.NegativeInfinity;
        }

        if (q > 1)
        {
            return double.PositiveInfinity;
        }

        buckets.Sort(static (a, b) => a.UpperBound.CompareTo(b.UpperBound));
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound))
        {
            return double.NaN;
        }

        // Buckets with the same upper bound (e.g. "1" and "1.0") are one bucket.
        var merged = new List<(double UpperBound, double Count)>();
        foreach (var b in buckets)
        {
            if (merged.Count > 0 && merged[^1].UpperBound == b.UpperBound)
            {
                merged[^1] = (b.UpperBound, merged[^1].Count + b.Count);
            }
            else
            {
                merged.Add(b);
            }
        }

        // Scrapes are not atomic, so counts may decrease between buckets, and float noise may jitter them:
        // both are flattened to the previous count (Prometheus's ensureMonotonicAndIgnoreSmallDeltas).
        var previous = merged[0].Count;
        for (var i = 1; i < merged.Count; i++)
        {
            var current = merged[i].Count;
            if (current == previous)
            {
                continue;
            }

            if (current < previous || AlmostEqual(previous, current, SmallDeltaTolerance))
            {
                merged[i] = (merged[i].UpperBound, previous);
                continue;
            }

            previous = current;
        }

        if (merged.Count < 2)
        {
            return double.NaN;
        }

        var observations = merged[^1].Count;
        if (observations == 0 || double.IsNaN(observations))
        {
            return double.NaN;
        }

        var rank = q * observations;
        var index = 0;
        while (index < merged.Count - 1 && merged[index].Count < rank)
        {
            index++;
        }

        if (index == merged.Count - 1)
        {
            return merged[^2].UpperBound;
        }

        if (index == 0 && merged[0].UpperBound <= 0)
        {
            return merged[0].UpperBound;
        }

        var bucketStart = 0.0;
        var bucketEnd = merged[index].UpperBound;
        var count = merged[index].Count;
        if (index > 0)
        {
            bucketStart = merged[index - 1].UpperBound;
            count -= merged[index - 1].Count;
            rank -= merged[index - 1].Count;
        }

        return bucketStart + ((bucketEnd - bucketStart) * (rank / count));
    }

    private static bool AlmostEqual(double a, double b, double epsilon)
    {
        if (a == b)
        {
            return true;
        }

        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < MinNormal)
        {
            return diff < epsilon * MinNormal;
        }

        return diff / Math.Min(absSum, double.MaxValue) < epsilon;
    }
}
