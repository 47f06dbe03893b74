using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;
using Opsmon.Query.Functions;

namespace Opsmon.Query;

/// <summary>Aggregation operators (sum, avg, topk, count_values, …) over groups defined by by/without.</summary>
internal static class Aggregation
{
    /// <param name="groupingKeys">Each input label set's group, kept across the steps of a query so a series is grouped once.</param>
    public static List<Sample> Evaluate(AggregateExpr agg, EvalValue? param, List<Sample> input, long ts, Dictionary<Labels, Labels>? groupingKeys = null)
    {
        var groups = new Dictionary<Labels, List<Sample>>();
        var order = new List<Labels>();
        var without = agg.Without ? agg.Grouping.Append(Labels.MetricName).ToArray() : [];
        string? countLabel = null;
        if (agg.Op == AggregateOp.CountValues)
        {
            countLabel = ((EvalString)param!).V;
            if (!LabelFunctions.IsValidLabelName(countLabel))
            {
                throw new QueryException(ErrorType.Execution, $"invalid label name \"{countLabel}\"");
            }
        }

        if (countLabel is null && !agg.Without && agg.Grouping.Count == 0)
        {
            // No by/without: the whole input is the one group, as it is (no copy, no per-sample key).
            if (input.Count > 0)
            {
                groups[Labels.Empty] = input;
                order.Add(Labels.Empty);
            }
        }
        else
        {
            Group(agg, input, groupingKeys, without, countLabel, groups, order);
        }

        var result = new List<Sample>(order.Count);
        var scalarParam = param is EvalScalar s ? s.V : double.NaN;
        if (agg.Op is AggregateOp.Topk or AggregateOp.Bottomk)
        {
            if (!(scalarParam <= long.MaxValue && scalarParam >= long.MinValue))
            {
                throw new QueryException(ErrorType.Execution, $"Scalar value {FormatGoValue(scalarParam)} overflows int64");
            }

            var k = (long)scalarParam;
            if (k < 1)
            {
                return result;
            }

            foreach (var key in order)
            {
                var kept = SelectK(groups[key], (int)Math.Min(k, int.MaxValue), agg.Op == AggregateOp.Topk);
                var sorted = agg.Op == AggregateOp.Topk
                    ? kept.OrderByDescending(static m => double.IsNaN(m.V) ? double.NegativeInfinity : m.V).ThenBy(static m => double.IsNaN(m.V))
                    : kept.OrderBy(static m => double.IsNaN(m.V) ? double.PositiveInfinity : m.V).ThenBy(static m => double.IsNaN(m.V));
                result.AddRange(sorted.Select(m => m with { T = ts }));
            }

            return result;
        }

        foreach (var key in order)
        {
            var members = groups[key];
            var value = agg.Op switch
            {
                AggregateOp.Sum => KahanSum(members),
                AggregateOp.Avg => Average(members),
                AggregateOp.Count or AggregateOp.CountValues => members.Count,
                AggregateOp.Group => 1,
                AggregateOp.Min => MinOrMax(members, min: true),
                AggregateOp.Max => MinOrMax(members, min: false),
                AggregateOp.Stddev => Math.Sqrt(Variance(members.Select(static m => m.V))),
                AggregateOp.Stdvar => Variance(members.Select(static m => m.V)),
                AggregateOp.Quantile => Quantile(scalarParam, members.Select(static m => m.V).ToList()),
                _ => throw new QueryException(ErrorType.Internal, "unknown aggregation"),
            };
            result.Add(new Sample(key, ts, value));
        }

        return result;
    }

    private static void Group(AggregateExpr agg, List<Sample> input, Dictionary<Labels, Labels>? groupingKeys, string[] without, string? countLabel, Dictionary<Labels, List<Sample>> groups, List<Labels> order)
    {
        foreach (var sample in input)
        {
            if (groupingKeys is null || !groupingKeys.TryGetValue(sample.Metric, out var key))
            {
                key = agg.Without ? sample.Metric.Without(without) : sample.Metric.Keep(agg.Grouping);
                groupingKeys?.Add(sample.Metric, key);
            }

            if (countLabel is not null)
            {
                key = key.With(countLabel, FormatValue(sample.V));
            }

            if (!groups.TryGetValue(key, out var members))
            {
                members = [];
                groups[key] = members;
                order.Add(key);
            }

            members.Add(sample);
        }
    }

    /// <summary>
    /// The k members topk (or bottomk) keeps. Among equal values the survivors are the ones Prometheus keeps: it
    /// fills a binary heap (Go's container/heap) with the first k samples and then replaces the root with each later
    /// sample that beats it, so which of several tied samples remains depends on the heap's shape, not on input order.
    /// A plain stable sort picks different series at ties, which shows as a series jumping in and out of a topk panel.
    /// </summary>
    private static List<Sample> SelectK(List<Sample> members, int k, bool top)
    {
        // Less(i, j) of Prometheus's vectorByValueHeap (topk) and vectorByReverseValueHeap (bottomk): NaN sorts first, so it is replaced first.
        bool Less(Sample a, Sample b) => double.IsNaN(a.V) || (top ? a.V < b.V : a.V > b.V);

        var heap = new List<Sample>(Math.Min(k, members.Count));
        foreach (var sample in members)
        {
            if (heap.Count < k)
            {
                heap.Add(sample);
                Up(heap, heap.Count - 1);
            }
            else if ((top ? heap[0].V < sample.V : heap[0].V > sample.V) || (double.IsNaN(heap[0].V) && !double.IsNaN(sample.V)))
            {
                heap[0] = sample;
                if (!Down(heap, 0))
                {
                    Up(heap, 0);
                }
            }
        }

        return heap;

        void Up(List<Sample> h, int j)
        {
            while (j > 0)
            {
                var parent = (j - 1) / 2;
                if (!Less(h[j], h[parent]))
                {
                    break;
                }

                (h[parent], h[j]) = (h[j], h[parent]);
                j = parent;
            }
        }

        bool Down(List<Sample> h, int i0)
        {
            var i = i0;
            while (true)
            {
                var left = (2 * i) + 1;
                if (left >= h.Count)
                {
                    break;
                }

                var j = left + 1 < h.Count && Less(h[left + 1], h[left]) ? left + 1 : left;
                if (!Less(h[j], h[i]))
                {
                    break;
                }

                (h[i], h[j]) = (h[j], h[i]);
                i = j;
            }

            return i > i0;
        }
    }

    private static double KahanSum(List<Sample> members)
    {
        var (sum, c) = (0.0, 0.0);
        foreach (var m in members)
        {
            (sum, c) = KahanInc(m.V, sum, c);
        }

        return double.IsInfinity(sum) ? sum : sum + c;
    }

    /// <summary>Kahan-Babuška compensated summation step, as Prometheus's kahanSumInc.</summary>
    internal static (double Sum, double C) KahanInc(double inc, double sum, double c)
    {
        var t = sum + inc;
        if (double.IsInfinity(t))
        {
            c = 0;
        }
        else if (Math.Abs(sum) >= Math.Abs(inc))
        {
            c += (sum - t) + inc;
        }
        else
        {
            c += (inc - t) + sum;
        }

        return (t, c);
    }

    internal static double Average(IReadOnlyList<Sample> members) => AverageOf(members.Select(static m => m.V).ToList());

    /// <summary>Mean by compensated sum, falling back to an incremental mean when the sum alone would overflow.</summary>
    internal static double AverageOf(List<double> values)
    {
        var (sum, c) = (0.0, 0.0);
        var finiteInputs = true;
        foreach (var v in values)
        {
            finiteInputs &= double.IsFinite(v);
            (sum, c) = KahanInc(v, sum, c);
        }

        if (!double.IsInfinity(sum) || !finiteInputs)
        {
            return double.IsInfinity(sum) ? sum : (sum + c) / values.Count;
        }

        var mean = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            mean += (values[i] / (i + 1)) - (mean / (i + 1));
        }

        return mean;
    }

    private static double MinOrMax(List<Sample> members, bool min)
    {
        var value = members[0].V;
        foreach (var m in members)
        {
            if (double.IsNaN(value) || (min ? m.V < value : m.V > value))
            {
                value = m.V;
            }
        }

        return value;
    }

    /// <summary>Population variance by Welford's method.</summary>
    internal static double Variance(IEnumerable<double> values)
    {
        var (count, mean, m2) = (0.0, 0.0, 0.0);
        foreach (var v in values)
        {
            count++;
            var delta = v - mean;
            mean += delta / count;
            m2 += delta * (v - mean);
        }

        return m2 / count;
    }

    /// <summary>The φ-quantile by linear interpolation between closest ranks, as Prometheus's quantile().</summary>
    internal static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q))
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

        values.Sort(static (a, b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : double.IsNaN(b) ? 1 : a.CompareTo(b));
        var n = values.Count;
        var rank = q * (n - 1);
        var lower = Math.Max(0, (int)Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return (values[lower] * (1 - weight)) + (values[upper] * weight);
    }

    /// <summary>Go's %v for a float64 in messages.</summary>
    private static string FormatGoValue(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an exponent.</summary>
    internal static string FormatValue(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
        {
            return r;
        }

        var exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = r[..e];
        var negative = mantissa.StartsWith('-');
        if (negative)
        {
            mantissa = mantissa[1..];
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var pointPos = (dot < 0 ? mantissa.Length : dot) + exponent;
        string text;
        if (pointPos <= 0)
        {
            text = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            text = digits + new string('0', pointPos - digits.Length);
        }
        else
        {
            text = digits[..pointPos] + "." + digits[pointPos..];
        }

        return negative ? "-" + text : text;
    }
}
