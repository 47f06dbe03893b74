using Opsmon.Analysis.Forecast;
using Opsmon.Analysis.Stats;

namespace Opsmon.Analysis.Leaks;

/// <summary>The verdict on one memory series.</summary>
/// <param name="IsLeak">All criteria hold: significant upward trend, fast enough, still growing at the end, rising floor.</param>
/// <param name="BytesPerSecond">Theil–Sen slope over the whole window.</param>
/// <param name="PValue">Mann–Kendall two-sided p-value over the whole window.</param>
/// <param name="TailBytesPerSecond">Theil–Sen slope over the last third.</param>
/// <param name="FloorRiseBytes">Low (10%) quantile of the last third minus that of the first third.</param>
/// <param name="GrowingForSeconds">How long, back from the end of the window, the series has been rising.</param>
/// <param name="Confidence">0–1: (1 − p) × min(1, tail slope / slope).</param>
/// <param name="Reason">Why it is or is not a leak, for people.</param>
public sealed record LeakAssessment(
    bool IsLeak,
    double BytesPerSecond,
    double PValue,
    double TailBytesPerSecond,
    double FloorRiseBytes,
    double GrowingForSeconds,
    double Confidence,
    string Reason);

/// <summary>
/// Tells a memory leak from its look-alikes. A leak is a significant Mann–Kendall upward trend (tells it from
/// noise) whose Theil–Sen slope exceeds a minimum rate (tells it from slow drift), that still grows over the
/// last third of the window (tells it from warm-up then plateau), and whose floor and peaks both rise from the
/// first third to the last (tells it from the sawtooth of a garbage-collected heap, whose troughs return to the
/// same level and whose peaks do not climb).
/// </summary>
public static class LeakDetector
{
    // The floor is a low quantile rather than the minimum so that a single dip cannot decide.
    private const double FloorQuantile = 0.1;
    private const double PeakQuantile = 0.9;
    private const int GrowthSegments = 8;

    public static LeakAssessment Assess(ReadOnlySpan<double> seconds, ReadOnlySpan<double> bytes, LeakThresholds thresholds)
    {
        if (seconds.Length < thresholds.MinSamples || seconds[^1] - seconds[0] < thresholds.MinSpan.TotalSeconds)
        {
            return NotJudged(seconds.Length < 2 ? double.NaN : 0, "too little history");
        }

        var (xs, ys) = Downsample.Buckets(seconds, bytes);
        var fit = RobustTrend.FitPoints(xs, ys, seconds[0], seconds[^1]);
        var third = xs.Length / 3;
        var tail = RobustTrend.FitPoints(xs.AsSpan(xs.Length - third), ys.AsSpan(ys.Length - third), xs[^third], xs[^1]);
        var floorRise = Rise(ys, third, FloorQuantile);
        var peakRise = Rise(ys, third, PeakQuantile);
        var expectedRise = fit.Slope * (xs[^third] - xs[0]);
        var growingFor = GrowingFor(xs, ys);
        var tailRatio = fit.Slope > 0 ? Math.Clamp(tail.Slope / fit.Slope, 0, 1) : 0;
        var confidence = Math.Clamp((1 - fit.PValue) * tailRatio, 0, 1);

        string? rejection = null;
        if (fit.PValue >= thresholds.MaxPValue || fit.Tau <= 0)
        {
            rejection = "no significant upward trend";
        }
        else if (fit.Slope < thresholds.MinBytesPerSecond)
        {
            rejection = "grows slower than the minimum rate";
        }
        else if (tail.Slope < thresholds.MinTailRatio * fit.Slope)
        {
            rejection = "growth stopped (warm-up then plateau)";
        }
        else if (Math.Min(floorRise, peakRise) < thresholds.MinFloorRiseRatio * expectedRise)
        {
            rejection = "troughs or peaks do not rise (sawtooth)";
        }

        return new LeakAssessment(
            rejection is null,
            fit.Slope,
            fit.PValue,
            tail.Slope,
            floorRise,
            growingFor,
            confidence,
            rejection ?? "steady significant growth");
    }

    /// <summary>How much the q-quantile of the last third exceeds that of the first third.</summary>
    private static double Rise(double[] ys, int third, double q) =>
        Quantiles.Quantile(ys.AsSpan(ys.Length - third), q) - Quantiles.Quantile(ys.AsSpan(0, third), q);

    private static LeakAssessment NotJudged(double slope, string reason) =>
        new(false, slope, 1, 0, 0, 0, 0, reason);

    /// <summary>Walks back from the end over equal segments while each segment's median is above the one before.</summary>
    private static double GrowingFor(double[] xs, double[] ys)
    {
        var segments = Math.Min(GrowthSegments, xs.Length / 3);
        if (segments < 2)
        {
            return 0;
        }

        var medians = new double[segments];
        var starts = new double[segments];
        for (var s = 0; s < segments; s++)
        {
            var from = s * xs.Length / segments;
            var to = (s + 1) * xs.Length / segments;
            medians[s] = Quantiles.Median(ys.AsSpan(from, to - from));
            starts[s] = xs[from];
        }

        var first = segments - 1;
        while (first > 0 && medians[first - 1] < medians[first])
        {
            first--;
        }

        return first == segments - 1 ? 0 : xs[^1] - starts[first];
    }
}
