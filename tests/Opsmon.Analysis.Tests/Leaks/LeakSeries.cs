using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Leaks;

/// <summary>Synthetic memory series at a 1 s interval over two minutes, with seeded Gaussian noise.</summary>
internal static class LeakSeries
{
    public const int Samples = 120;
    public const double MB = 1e6;

    public static double[] Seconds() => [.. Enumerable.Range(0, Samples).Select(static i => (double)i)];

    public static double[] Make(Func<double, double> shape, double noiseBytes = 0.5 * MB, int seed = 1)
    {
        var rnd = new Random(seed);
        return [.. Enumerable.Range(0, Samples).Select(i => shape(i) + (SyntheticMachine.Gaussian(rnd) * noiseBytes))];
    }

    public static double[] Leaker(double mbPerMinute, int seed = 1) => Make(t => (300 * MB) + (mbPerMinute * MB / 60 * t), seed: seed);

    public static double[] Steady(int seed = 1) => Make(static _ => 8000 * MB, seed: seed);

    /// <summary>Grows 40 MB per minute for the first minute, then holds.</summary>
    public static double[] WarmUpThenPlateau(int seed = 1) => Make(static t => (200 * MB) + (Math.Min(t, 60) * 40 * MB / 60), seed: seed);

    /// <summary>Approaches its plateau exponentially with a 20 s time constant.</summary>
    public static double[] ExponentialWarmUp(int seed = 1) => Make(static t => (200 * MB) + (100 * MB * (1 - Math.Exp(-t / 20))), seed: seed);

    /// <summary>A garbage-collected heap: climbs 30 MB over each 25 s period, then drops back to the same floor.</summary>
    public static double[] Sawtooth(int seed = 1, double period = 25) => Make(t => (250 * MB) + (30 * MB * (t % period) / period), seed: seed);

    public static double[] Noise(int seed) => Make(static _ => 500 * MB, noiseBytes: 3 * MB, seed: seed);
}
