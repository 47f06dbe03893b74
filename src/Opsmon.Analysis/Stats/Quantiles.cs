namespace Opsmon.Analysis.Stats;

/// <summary>Order statistics in expected linear time (quickselect), so medians never cost a full sort.</summary>
internal static class Quantiles
{
    /// <summary>The median of <paramref name="values"/>; reorders the span. NaN when empty.</summary>
    public static double MedianInPlace(Span<double> values)
    {
        var n = values.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        var upper = Select(values, n / 2);
        if (n % 2 == 1)
        {
            return upper;
        }

        // After selection everything left of n/2 is <= upper, so the lower middle is their maximum.
        var lower = double.NegativeInfinity;
        foreach (var v in values[..(n / 2)])
        {
            lower = Math.Max(lower, v);
        }

        return (lower + upper) / 2;
    }

    /// <summary>The q-quantile (0–1, nearest rank) of <paramref name="values"/>; reorders the span.</summary>
    public static double QuantileInPlace(Span<double> values, double q)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var k = (int)Math.Clamp(Math.Round(q * (values.Length - 1)), 0, values.Length - 1);
        return Select(values, k);
    }

    public static double Quantile(ReadOnlySpan<double> values, double q)
    {
        var copy = values.ToArray();
        return QuantileInPlace(copy, q);
    }

    public static double Median(ReadOnlySpan<double> values)
    {
        var copy = values.ToArray();
        return MedianInPlace(copy);
    }

    /// <summary>Hoare's selection with a median-of-three pivot: afterwards values[k] holds the k-th smallest.</summary>
    private static double Select(Span<double> values, int k)
    {
        var lo = 0;
        var hi = values.Length - 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var pivot = MedianOfThree(values[lo], values[mid], values[hi]);
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                break;
            }
        }

        return values[k];
    }

    private static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
