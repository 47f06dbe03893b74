using System.Buffers;

namespace Opsmon.Analysis.Stats;

/// <summary>
/// The Theil–Sen estimator: the slope is the median of the slopes between every pair of points, the intercept
/// the median of y − slope·x. Robust to up to ~29% outliers, unlike least squares.
/// Callers keep n small (see <see cref="Downsample"/>); the pairwise step is O(n²).
/// </summary>
internal static class TheilSen
{
    public static double Slope(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        if (n < 2)
        {
            return double.NaN;
        }

        // Pooled: one pass over a thousand processes would otherwise allocate a pair buffer per fit.
        var slopes = ArrayPool<double>.Shared.Rent(n * (n - 1) / 2);
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var dx = x[j] - x[i];
                if (dx != 0)
                {
                    slopes[count++] = (y[j] - y[i]) / dx;
                }
            }
        }

        try
        {
            return count == 0 ? double.NaN : Quantiles.MedianInPlace(slopes.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(slopes);
        }
    }

    public static double Intercept(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double slope)
    {
        var residuals = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            residuals[i] = y[i] - (slope * x[i]);
        }

        return Quantiles.MedianInPlace(residuals);
    }
}
