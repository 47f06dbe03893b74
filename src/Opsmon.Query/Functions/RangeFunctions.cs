using System.Runtime.CompilerServices;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>Functions over range vectors: rate and friends, the *_over_time family, deriv, changes, resets.</summary>
internal static class RangeFunctions
{
    private static readonly ValueKind[] Matrix = [ValueKind.Matrix];

    public static IEnumerable<FunctionDef> Definitions() =>
    [
        Over("rate", (m, p) => ExtrapolatedRate(m, p, isCounter: true, isRate: true)),
        Over("increase", (m, p) => ExtrapolatedRate(m, p, isCounter: true, isRate: false)),
        Over("delta", (m, p) => ExtrapolatedRate(m, p, isCounter: false, isRate: false)),
        Over("irate", (_, p) => InstantValue(p, isRate: true)),
        Over("idelta", (_, p) => InstantValue(p, isRate: false)),
        Over("deriv", (_, p) => p.Count < 2 ? null : LinearRegression(p, p[0].T).Slope),
        Over("changes", (_, p) => Changes(p)),
        Over("resets", (_, p) => Resets(p)),
        Over("avg_over_time", (_, p) => Aggregation.AverageOf(p.Select(static x => x.V).ToList())),
        Over("sum_over_time", (_, p) => Sum(p)),
        Over("count_over_time", (_, p) => p.Count),
        Over("min_over_time", (_, p) => MinMax(p, min: true)),
        Over("max_over_time", (_, p) => MinMax(p, min: false)),
        Over("stddev_over_time", (_, p) => Math.Sqrt(Aggregation.Variance(p.Select(static x => x.V)))),
        Over("stdvar_over_time", (_, p) => Aggregation.Variance(p.Select(static x => x.V))),
        Over("last_over_time", (_, p) => p[^1].V) with { KeepsMetricName = true },
        Over("present_over_time", (_, _) => 1),
        new("quantile_over_time", [ValueKind.Scalar, ValueKind.Matrix], 0, ValueKind.Vector, static ctx =>
        {
            var q = ctx.Scalar(0);
            return PerSeries(ctx.Ts, ctx.Matrix(1), (_, p) => Aggregation.Quantile(q, p.Select(static x => x.V).ToList()));
        }),
        new("predict_linear", [ValueKind.Matrix, ValueKind.Scalar], 0, ValueKind.Vector, static ctx =>
        {
            var duration = ctx.Scalar(1);
            return PerSeries(ctx.Ts, ctx.Matrix(0), (_, p) =>
            {
                if (p.Count < 2)
                {
                    return null;
                }

                var (slope, intercept) = LinearRegression(p, ctx.Ts);
                return intercept + (slope * duration);
            });
        }),
        new("holt_winters", [ValueKind.Matrix, ValueKind.Scalar, ValueKind.Scalar], 0, ValueKind.Vector, static ctx =>
        {
            var (sf, tf) = (ctx.Scalar(1), ctx.Scalar(2));
            if (sf is <= 0 or >= 1 || double.IsNaN(sf))
            {
                throw new QueryException(ErrorType.Execution, $"invalid smoothing factor. Expected: 0 < sf < 1, got: {sf.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}");
            }

            if (tf is <= 0 or >= 1 || double.IsNaN(tf))
            {
                throw new QueryException(ErrorType.Execution, $"invalid trend factor. Expected: 0 < tf < 1, got: {tf.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)}");
            }

            return PerSeries(ctx.Ts, ctx.Matrix(0), (_, p) => DoubleExponentialSmoothing(p, sf, tf));
        }),
        new("absent_over_time", Matrix, 0, ValueKind.Vector, static ctx =>
            ctx.Matrix(0).Series.Count > 0
                ? new EvalVector([])
                : new EvalVector([new Sample(VectorFunctions.AbsentLabels(ctx.ArgExprs[0]), ctx.Ts, 1)])),
    ];

    private static FunctionDef Over(string name, Func<EvalMatrix, IReadOnlyList<Point>, double?> f) =>
        new(name, Matrix, 0, ValueKind.Vector, ctx => PerSeries(ctx.Ts, ctx.Matrix(0), f)) { OverWindow = f };

    private static EvalVector PerSeries(long ts, EvalMatrix matrix, Func<EvalMatrix, IReadOnlyList<Point>, double?> f)
    {
        var result = new List<Sample>(matrix.Series.Count);
        foreach (var series in matrix.Series)
        {
            if (series.Points.Count == 0)
            {
                continue;
            }

            var value = f(matrix, series.Points);
            if (value is { } v)
            {
                result.Add(new Sample(series.Metric, ts, v));
            }
        }

        return new EvalVector(result);
    }

    /// <summary>
    /// rate/increase/delta: the change over the samples, extrapolated towards the range boundaries but never more than
    /// half an average sample interval beyond them, and for counters never below zero (Prometheus's extrapolatedRate).
    /// </summary>
    // Per-sample loops: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double? ExtrapolatedRate(EvalMatrix matrix, IReadOnlyList<Point> points, bool isCounter, bool isRate)
    {
        var samples = PointWindow.SpanOf(points);
        if (samples.Length < 2)
        {
            return null;
        }

        var first = samples[0];
        var last = samples[^1];
        var result = last.V - first.V;
        if (isCounter)
        {
            var previous = 0.0;
            foreach (var sample in samples)
            {
                var v = sample.V;
                if (v < previous)
                {
                    result += previous;
                }

                previous = v;
            }
        }

        var durationToStart = (first.T - matrix.RangeStart) / 1000.0;
        var durationToEnd = (matrix.RangeEnd - last.T) / 1000.0;
        var sampledInterval = (last.T - first.T) / 1000.0;
        var averageBetweenSamples = sampledInterval / (samples.Length - 1);
        if (isCounter && result > 0 && first.V >= 0)
        {
            // A counter cannot go below zero: do not extrapolate to before the time it would have been zero.
            var durationToZero = sampledInterval * (first.V / result);
            if (durationToZero < durationToStart)
            {
                durationToStart = durationToZero;
            }
        }

        var threshold = averageBetweenSamples * 1.1;
        var extrapolateTo = sampledInterval;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
        var factor = extrapolateTo / sampledInterval;
        if (isRate)
        {
            factor /= matrix.RangeSeconds;
        }

        return result * factor;
    }

    private static double? InstantValue(IReadOnlyList<Point> samples, bool isRate)
    {
        if (samples.Count < 2)
        {
            return null;
        }

        var last = samples[^1];
        var previous = samples[^2];
        var result = isRate && last.V < previous.V ? last.V : last.V - previous.V;
        var interval = last.T - previous.T;
        if (interval == 0)
        {
            return null;
        }

        return isRate ? result / (interval / 1000.0) : result;
    }

    /// <summary>Holt's linear smoothing: the level after the last sample, the trend starting as the first difference.</summary>
    private static double? DoubleExponentialSmoothing(IReadOnlyList<Point> samples, double sf, double tf)
    {
        if (samples.Count < 2)
        {
            return null;
        }

        var (previousLevel, level) = (0.0, samples[0].V);
        var trend = samples[1].V - samples[0].V;
        for (var i = 1; i < samples.Count; i++)
        {
            // The trend is updated from the second step on; the first step uses the initial difference.
            if (i > 1)
            {
                trend = (tf * (level - previousLevel)) + ((1 - tf) * trend);
            }

            var next = (sf * samples[i].V) + ((1 - sf) * (level + trend));
            (previousLevel, level) = (level, next);
        }

        return level;
    }

    private static double Changes(IReadOnlyList<Point> points)
    {
        var samples = PointWindow.SpanOf(points);
        var changes = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            var (prev, cur) = (samples[i - 1].V, samples[i].V);
            if (cur != prev && !(double.IsNaN(cur) && double.IsNaN(prev)))
            {
                changes++;
            }
        }

        return changes;
    }

    private static double Resets(IReadOnlyList<Point> points)
    {
        var samples = PointWindow.SpanOf(points);
        var resets = 0;
        for (var i = 1; i < samples.Length; i++)
        {
            if (samples[i].V < samples[i - 1].V)
            {
                resets++;
            }
        }

        return resets;
    }

    private static double Sum(IReadOnlyList<Point> points)
    {
        var (sum, c) = (0.0, 0.0);
        foreach (var sample in PointWindow.SpanOf(points))
        {
            (sum, c) = Aggregation.KahanInc(sample.V, sum, c);
        }

        return double.IsInfinity(sum) ? sum : sum + c;
    }

    private static double MinMax(IReadOnlyList<Point> points, bool min)
    {
        var samples = PointWindow.SpanOf(points);
        var value = samples[0].V;
        foreach (var sample in samples)
        {
            var v = sample.V;
            if (double.IsNaN(value) || (min ? v < value : v > value))
            {
                value = v;
            }
        }

        return value;
    }

    /// <summary>Least-squares fit with time in seconds relative to <paramref name="interceptTime"/>; a constant series has slope 0.</summary>
    internal static (double Slope, double Intercept) LinearRegression(IReadOnlyList<Point> samples, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        var initY = samples[0].V;
        var constY = true;
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (constY && i > 0 && s.V != initY)
            {
                constY = false;
            }

            n++;
            var x = (s.T - interceptTime) / 1e3;
            (sumX, cX) = Aggregation.KahanInc(x, sumX, cX);
            (sumY, cY) = Aggregation.KahanInc(s.V, sumY, cY);
            (sumXY, cXY) = Aggregation.KahanInc(x * s.V, sumXY, cXY);
            (sumX2, cX2) = Aggregation.KahanInc(x * x, sumX2, cX2);
        }

        if (constY)
        {
            return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        }

        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        var covXY = sumXY - (sumX * sumY / n);
        var varX = sumX2 - (sumX * sumX / n);
        var slope = covXY / varX;
        var intercept = (sumY / n) - (slope * sumX / n);
        return (slope, intercept);
    }
}
