using Opsmon.Core.Series;
using Opsmon.Query.Ast;
using Opsmon.Query.Functions;

namespace Opsmon.Query;

/// <summary>One query's evaluation: expressions evaluated at a single timestamp, with selector data loaded once per query.</summary>
internal sealed class Evaluator
{
    private readonly IQuerier _querier;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startMs;
    private readonly long _endMs;
    private readonly long _lookbackMs;
    private readonly CancellationToken _cancellationToken;
    private readonly long _startedAt;
    private readonly Dictionary<VectorSelector, (long Min, long Max)> _windows = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<VectorSelector, List<LoadedSeries>> _loaded = new(ReferenceEqualityComparer.Instance);
    private long _currentSamples;

    public Evaluator(IQuerier querier, EngineOptions options, TimeProvider time, long startMs, long endMs, CancellationToken cancellationToken)
    {
        _querier = querier;
        _options = options;
        _time = time;
        _startMs = startMs;
        _endMs = endMs;
        _lookbackMs = (long)options.LookbackDelta.TotalMilliseconds;
        _cancellationToken = cancellationToken;
        _startedAt = time.GetTimestamp();
    }

    public QueryResult Run(Expr expr, Func<QueryValue> body)
    {
        try
        {
            PlanWindows(expr, _startMs, _endMs);
            return QueryResult.Success(body());
        }
        catch (QueryException e)
        {
            return QueryResult.Failure(e.Type, e.Message);
        }
        catch (OperationCanceledException)
        {
            return QueryResult.Failure(ErrorType.Canceled, "query was canceled in query execution");
        }
        catch (Exception e) when (e is InvalidCastException or NullReferenceException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            // A bug must not take the host down: report it the way Prometheus reports a recovered panic.
            return QueryResult.Failure(ErrorType.Internal, "unexpected error: " + e.Message);
        }
    }

    /// <summary>Starts a top-level step: samples held by the result so far still count against the limit.</summary>
    public void BeginStep(long held)
    {
        _currentSamples = held;
        CheckInterrupted();
    }

    public void CountSamples(long n)
    {
        _currentSamples += n;
        if (_currentSamples > _options.MaxSamples)
        {
            throw new QueryException(ErrorType.Execution, "query processing would load too many samples into memory in query execution");
        }
    }

    private void CheckInterrupted()
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            throw new QueryException(ErrorType.Canceled, "query was canceled in query execution");
        }

        if (_time.GetElapsedTime(_startedAt) > _options.Timeout)
        {
            throw new QueryException(ErrorType.Timeout, "query timed out in query execution");
        }
    }

    private long ResolveAt(AtModifier at) => at.Kind switch
    {
        AtKind.Start => _startMs,
        AtKind.End => _endMs,
        _ => at.TimestampMs,
    };

    /// <summary>Finds the time window each selector needs over the whole query, like Prometheus's FindMinMaxTime.</summary>
    private void PlanWindows(Expr expr, long lo, long hi)
    {
        switch (expr)
        {
            case VectorSelector vs:
                AddWindow(vs, lo, hi, _lookbackMs);
                break;
            case MatrixSelector ms:
                AddWindow(ms.Selector, lo, hi, ms.RangeMs);
                break;
            case SubqueryExpr sq:
                if (sq.At is not null)
                {
                    lo = hi = ResolveAt(sq.At);
                }

                PlanWindows(sq.Inner, lo - sq.OffsetMs - sq.RangeMs, hi - sq.OffsetMs);
                break;
            case ParenExpr p:
                PlanWindows(p.Inner, lo, hi);
                break;
            case UnaryExpr u:
                PlanWindows(u.Inner, lo, hi);
                break;
            case BinaryExpr b:
                PlanWindows(b.Lhs, lo, hi);
                PlanWindows(b.Rhs, lo, hi);
                break;
            case AggregateExpr a:
                if (a.Param is not null)
                {
                    PlanWindows(a.Param, lo, hi);
                }

                PlanWindows(a.Inner, lo, hi);
                break;
            case CallExpr c:
                foreach (var arg in c.Args)
                {
                    PlanWindows(arg, lo, hi);
                }

                break;
            default:
                break;
        }
    }

    private void AddWindow(VectorSelector vs, long lo, long hi, long back)
    {
        if (vs.At is not null)
        {
            lo = hi = ResolveAt(vs.At);
        }

        var min = lo - vs.OffsetMs - back;
        var max = hi - vs.OffsetMs;
        _windows[vs] = _windows.TryGetValue(vs, out var w) ? (Math.Min(w.Min, min), Math.Max(w.Max, max)) : (min, max);
    }

    private List<LoadedSeries> Load(VectorSelector vs)
    {
        if (_loaded.TryGetValue(vs, out var loaded))
        {
            return loaded;
        }

        var (min, max) = _windows.TryGetValue(vs, out var w) ? w : (long.MinValue / 2, long.MaxValue / 2);
        try
        {
            loaded = Select(vs, min, max);
        }
        catch (Exception e) when (e is not (QueryException or OperationCanceledException))
        {
            // A failing store is Prometheus's "internal" error (ErrStorage), not a crash of the host.
            throw new QueryException(ErrorType.Internal, "storage error: " + e.Message);
        }

        _loaded[vs] = loaded;
        return loaded;
    }

    private List<LoadedSeries> Select(VectorSelector vs, long min, long max)
    {
        var loaded = new List<LoadedSeries>();
        foreach (var series in _querier.Select(min, max, vs.Matchers))
        {
            var ts = new List<long>();
            var vals = new List<double>();
            var it = series.Samples();
            while (it.MoveNext())
            {
                if (it.Timestamp < min || it.Timestamp > max)
                {
                    continue;
                }

                ts.Add(it.Timestamp);
                vals.Add(it.Value);
            }

            if (ts.Count > 0)
            {
                loaded.Add(new LoadedSeries(series.Labels, [.. ts], [.. vals]));
            }
        }

        return loaded;
    }

    public EvalValue Eval(Expr expr, long ts)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new QueryException(ErrorType.Execution, "expression nested too deeply");
        }

        switch (expr)
        {
            case NumberLiteral n:
                return new EvalScalar(n.Value);
            case StringLiteral s:
                return new EvalString(s.Value);
            case ParenExpr p:
                return Eval(p.Inner, ts);
            case UnaryExpr u:
                {
                    var negated = Negate(Eval(u.Inner, ts));
                    if (negated is EvalVector v)
                    {
                        CheckNoDuplicateLabelsets(v.Samples);
                    }

                    return negated;
                }

            case VectorSelector vs:
                return EvalVectorSelector(vs, ts);
            case MatrixSelector ms:
                return EvalMatrixSelector(ms, ts);
            case SubqueryExpr sq:
                return EvalSubquery(sq, ts);
            case CallExpr call:
                return EvalCall(call, ts);
            case AggregateExpr agg:
                {
                    var param = agg.Param is null ? null : Eval(agg.Param, ts);
                    var input = (EvalVector)Eval(agg.Inner, ts);
                    var result = Aggregation.Evaluate(agg, param, input.Samples, ts);
                    CountSamples(result.Count);
                    return new EvalVector(result);
                }

            case BinaryExpr bin:
                {
                    var lhs = Eval(bin.Lhs, ts);
                    var rhs = Eval(bin.Rhs, ts);
                    var result = BinaryEvaluation.Evaluate(bin, lhs, rhs, ts);
                    if (result is EvalVector v)
                    {
                        CheckNoDuplicateLabelsets(v.Samples);
                        CountSamples(v.Samples.Count);
                    }

                    return result;
                }

            default:
                throw new QueryException(ErrorType.Internal, "unhandled expression " + expr.GetType().Name);
        }
    }

    private static EvalValue Negate(EvalValue value) => value switch
    {
        EvalScalar s => new EvalScalar(-s.V),
        EvalVector v => new EvalVector(v.Samples.Select(static x => new Sample(x.Metric.WithoutName(), x.T, -x.V)).ToList()),
        _ => throw new QueryException(ErrorType.Internal, "unary minus on unsupported type"),
    };

    private EvalValue EvalVectorSelector(VectorSelector vs, long ts)
    {
        CheckInterrupted();
        var refTime = (vs.At is null ? ts : ResolveAt(vs.At)) - vs.OffsetMs;
        var result = new List<Sample>();
        foreach (var series in Load(vs))
        {
            var i = series.LastAtOrBefore(refTime);
            if (i < 0 || series.Timestamps[i] < refTime - _lookbackMs || StaleNaN.Is(series.Values[i]))
            {
                continue;
            }

            result.Add(new Sample(series.Labels, series.Timestamps[i], series.Values[i]));
        }

        CountSamples(result.Count);
        return new EvalVector(result);
    }

    private EvalMatrix EvalMatrixSelector(MatrixSelector ms, long ts)
    {
        CheckInterrupted();
        var vs = ms.Selector;
        var refTime = (vs.At is null ? ts : ResolveAt(vs.At)) - vs.OffsetMs;
        var mint = refTime - ms.RangeMs;
        var result = new List<Series>();
        var count = 0;
        foreach (var series in Load(vs))
        {
            var last = series.LastAtOrBefore(refTime);
            var points = new List<Point>();
            for (var i = series.FirstAtOrAfter(mint); i >= 0 && i <= last; i++)
            {
                if (!StaleNaN.Is(series.Values[i]))
                {
                    points.Add(new Point(series.Timestamps[i], series.Values[i]));
                }
            }

            if (points.Count > 0)
            {
                count += points.Count;
                result.Add(new Series(series.Labels, points));
            }
        }

        CountSamples(count);
        return new EvalMatrix(result, mint, refTime);
    }

    private EvalMatrix EvalSubquery(SubqueryExpr sq, long ts)
    {
        var refTime = (sq.At is null ? ts : ResolveAt(sq.At)) - sq.OffsetMs;
        var mint = refTime - sq.RangeMs;
        var step = sq.StepMs ?? (long)_options.DefaultSubqueryStep.TotalMilliseconds;
        if (step <= 0)
        {
            throw new QueryException(ErrorType.BadData, "subquery step must be greater than 0");
        }

        // The first step is the first multiple of the step at or after the range start, so results do not depend on the outer time.
        var first = step * (mint / step);
        if (first < mint)
        {
            first += step;
        }

        var series = new Dictionary<Labels, List<Point>>();
        var order = new List<Labels>();
        var count = 0;
        for (var t = first; t <= refTime; t += step)
        {
            CheckInterrupted();
            switch (Eval(sq.Inner, t))
            {
                case EvalScalar s:
                    AddPoint(series, order, Labels.Empty, new Point(t, s.V));
                    count++;
                    break;
                case EvalVector v:
                    foreach (var sample in v.Samples)
                    {
                        AddPoint(series, order, sample.Metric, new Point(t, sample.V));
                    }

                    count += v.Samples.Count;
                    break;
                default:
                    throw new QueryException(ErrorType.Internal, "subquery over a non-instant expression");
            }
        }

        CountSamples(count);
        return new EvalMatrix(order.Select(l => new Series(l, series[l])).ToList(), mint, refTime);
    }

    private static void AddPoint(Dictionary<Labels, List<Point>> series, List<Labels> order, Labels labels, Point point)
    {
        if (!series.TryGetValue(labels, out var points))
        {
            points = [];
            series[labels] = points;
            order.Add(labels);
        }

        points.Add(point);
    }

    private EvalValue EvalCall(CallExpr call, long ts)
    {
        var args = new List<EvalValue>(call.Args.Count);
        foreach (var arg in call.Args)
        {
            args.Add(Eval(arg, ts));
        }

        var result = call.Function.Eval(new FunctionContext(ts, args, call.Args));
        if (result is EvalVector v)
        {
            if (!call.Function.KeepsMetricName)
            {
                for (var i = 0; i < v.Samples.Count; i++)
                {
                    var s = v.Samples[i];
                    if (s.Metric.Has(Labels.MetricName))
                    {
                        v.Samples[i] = s with { Metric = s.Metric.WithoutName() };
                    }
                }
            }

            CheckNoDuplicateLabelsets(v.Samples);
            CountSamples(v.Samples.Count);
        }

        return result;
    }

    private static void CheckNoDuplicateLabelsets(List<Sample> samples)
    {
        if (samples.Count < 2)
        {
            return;
        }

        var seen = new HashSet<Labels>();
        foreach (var s in samples)
        {
            if (!seen.Add(s.Metric))
            {
                throw new QueryException(ErrorType.Execution, "vector cannot contain metrics with the same labelset");
            }
        }
    }

    private sealed record LoadedSeries(Labels Labels, long[] Timestamps, double[] Values)
    {
        /// <summary>Index of the last sample at or before <paramref name="t"/>, or -1.</summary>
        public int LastAtOrBefore(long t)
        {
            var i = Array.BinarySearch(Timestamps, t);
            return i >= 0 ? i : ~i - 1;
        }

        /// <summary>Index of the first sample at or after <paramref name="t"/>, or -1.</summary>
        public int FirstAtOrAfter(long t)
        {
            var i = Array.BinarySearch(Timestamps, t);
            i = i >= 0 ? i : ~i;
            return i < Timestamps.Length ? i : -1;
        }
    }
}
