namespace Opsmon.Analysis.Stats;

/// <summary>The outcome of a Mann–Kendall trend test.</summary>
/// <param name="S">Sum of signs of all later-minus-earlier differences; positive for an upward trend.</param>
/// <param name="Variance">Var(S) under no trend, corrected for ties.</param>
/// <param name="Z">Continuity-corrected standard score.</param>
/// <param name="PValue">Two-sided p-value from the normal approximation.</param>
/// <param name="Tau">Kendall's tau, S over the number of pairs.</param>
internal readonly record struct MannKendallResult(double S, double Variance, double Z, double PValue, double Tau);

/// <summary>
/// The Mann–Kendall test for a monotonic trend in a series ordered by time (Kendall 1975; ties as in
/// Hipel &amp; McLeod 1994, eq. 23.3). O(n²) pairs: callers keep n small (see <see cref="Downsample"/>).
/// </summary>
internal static class MannKendall
{
    public static MannKendallResult Test(ReadOnlySpan<double> y)
    {
        var n = y.Length;
        if (n < 3)
        {
            return new MannKendallResult(0, 0, 0, 1, 0);
        }

        long s = 0;
        for (var i = 0; i < n - 1; i++)
        {
            var yi = y[i];
            for (var j = i + 1; j < n; j++)
            {
                s += Math.Sign(y[j] - yi);
            }
        }

        var sorted = y.ToArray();
        Array.Sort(sorted);
        double tieTerm = 0;
        var run = 1;
        for (var i = 1; i <= n; i++)
        {
            if (i < n && sorted[i] == sorted[i - 1])
            {
                run++;
                continue;
            }

            if (run > 1)
            {
                tieTerm += run * (run - 1.0) * ((2.0 * run) + 5);
            }

            run = 1;
        }

        var variance = ((n * (n - 1.0) * ((2.0 * n) + 5)) - tieTerm) / 18.0;
        var z = variance <= 0 ? 0 : s switch
        {
            > 0 => (s - 1) / Math.Sqrt(variance),
            < 0 => (s + 1) / Math.Sqrt(variance),
            _ => 0,
        };
        var p = 2 * NormalDistribution.UpperTail(Math.Abs(z));
        var tau = s / (n * (n - 1.0) / 2);
        return new MannKendallResult(s, variance, z, Math.Min(1, p), tau);
    }
}
