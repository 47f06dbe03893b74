namespace Opsmon.Analysis.Stats;

/// <summary>
/// Reduces a long series to at most a fixed number of points so that the O(n²) pairwise statistics
/// (Theil–Sen, Mann–Kendall) cost a constant per series. Each output point is the mean time and the
/// median value of one equal-count bucket: deterministic, and the median keeps single spikes from moving it.
/// </summary>
internal static class Downsample
{
    /// <summary>The default cap: 128 points give 8,128 pairs per statistic.</summary>
    public const int DefaultMaxPoints = 128;

    public static (double[] X, double[] Y) Buckets(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int maxPoints = DefaultMaxPoints)
    {
        var n = x.Length;
        if (n <= maxPoints)
        {
            return (x.ToArray(), y.ToArray());
        }

        var xs = new double[maxPoints];
        var ys = new double[maxPoints];
        var scratch = new double[(n / maxPoints) + 1];
        for (var b = 0; b < maxPoints; b++)
        {
            var from = (int)((long)b * n / maxPoints);
            var to = (int)((long)(b + 1) * n / maxPoints);
            double sumX = 0;
            for (var i = from; i < to; i++)
            {
                sumX += x[i];
                scratch[i - from] = y[i];
            }

            xs[b] = sumX / (to - from);
            ys[b] = Quantiles.MedianInPlace(scratch.AsSpan(0, to - from));
        }

        return (xs, ys);
    }
}
