using Opsmon.Analysis.Stats;

namespace Opsmon.Analysis.Forecast;

/// <summary>A robust straight-line fit: Theil–Sen slope and intercept, Mann–Kendall significance.</summary>
/// <param name="Slope">Units per second.</param>
/// <param name="Intercept">Value at x = 0.</param>
/// <param name="PValue">Two-sided Mann–Kendall p-value; small means the trend is real.</param>
/// <param name="Tau">Kendall's tau, −1 to 1.</param>
/// <param name="StartX">First x (seconds) of the fitted data.</param>
/// <param name="EndX">Last x (seconds) of the fitted data.</param>
internal readonly record struct TrendFit(double Slope, double Intercept, double PValue, double Tau, double StartX, double EndX)
{
    public double SpanSeconds => EndX - StartX;

    public double ValueAt(double x) => Intercept + (Slope * x);
}

internal static class RobustTrend
{
    /// <summary>Fits after downsampling to at most <paramref name="maxPoints"/>; null with fewer than three points.</summary>
    public static TrendFit? Fit(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int maxPoints = Downsample.DefaultMaxPoints)
    {
        if (x.Length < 3)
        {
            return null;
        }

        var (xs, ys) = Downsample.Buckets(x, y, maxPoints);
        return FitPoints(xs, ys, x[0], x[^1]);
    }

    /// <summary>Fits points that are already few enough for the pairwise statistics.</summary>
    public static TrendFit FitPoints(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, double startX, double endX)
    {
        var slope = TheilSen.Slope(xs, ys);
        var intercept = double.IsNaN(slope) ? double.NaN : TheilSen.Intercept(xs, ys, slope);
        var mk = MannKendall.Test(ys);
        return new TrendFit(slope, intercept, mk.PValue, mk.Tau, startX, endX);
    }

    /// <summary>
    /// How sure a forecast of <paramref name="horizonSeconds"/> from a fit over <paramref name="spanSeconds"/> is:
    /// 1 − p, scaled down in proportion once the horizon exceeds ten times the observed history.
    /// </summary>
    public static double Confidence(double pValue, double spanSeconds, double horizonSeconds)
    {
        var extrapolation = horizonSeconds <= 0 ? 1 : Math.Min(1, 10 * spanSeconds / horizonSeconds);
        return Math.Clamp((1 - pValue) * extrapolation, 0, 1);
    }
}
