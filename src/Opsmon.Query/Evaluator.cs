using System.Buffers;
using System.Runtime.CompilerServices;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;
using Opsmon.Query.Functions;

namespace Opsmon.Query;

/// <summary>One query's evaluation: expressions evaluated at a single timestamp, with selector data loaded once per query.</summary>
internal sealed class Evaluator
{
    /// <summary>Above this many steps a range function's results for every step would take too much memory at once.</summary>
    private const long MaxSteppedSteps = 100_000;

    private readonly IQuerier _querier;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startMs;
    private readonly long _endMs;
    private readonly long _stepMs;
    private readonly long _lookbackMs;
    private readonly CancellationToken _cancellationToken;
    private readonly long _startedAt;
    private readonly Dictionary<VectorSelector, (long Min, long Max)> _windows = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<VectorSelector, List<LoadedSeries>> _loaded = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<CallExpr, StepResults?> _stepResults = new(ReferenceEqualityComparer.Instance);
    private readonly List<StepResults> _rented = [];
    private readonly Dictionary<BinaryExpr, LabelMemo> _binaryMemos = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<AggregateExpr, Dictionary<Labels, Labels>> _groupingKeys = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<CallExpr, Dictionary<Labels, object>> _seriesCaches = new(ReferenceEqualityComparer.Instance);
    private long _currentSamples;

    /// <param name="stepMs">The range query's step; 0 for an instant query.</param>
    public Evaluator(IQuerier querier, EngineOptions options, TimeProvider time, long startMs, long endMs, long stepMs, CancellationToken cancellationToken)
    {
        _querier = querier;
        _options = options;
        _time = time;
        _startMs = startMs;
        _endMs = endMs;
        _stepMs = stepMs;
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
        finally
        {
            foreach (var results in _rented)
            {
                results.Return();
            }

            _rented.Clear();
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
        // Read buffers come from the pool and are reused for every series; each series keeps exact-size copies.
        var ts = ArrayPool<long>.Shared.Rent(4096);
        var vals = ArrayPool<double>.Shared.Rent(4096);
        try
        {
            SelectInto(loaded, vs, min, max, ref ts, ref vals);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ts);
            ArrayPool<double>.Shared.Return(vals);
        }

        return loaded;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SelectInto(List<LoadedSeries> loaded, VectorSelector vs, long min, long max, ref long[] ts, ref double[] vals)
    {
        foreach (var series in _querier.Select(min, max, vs.Matchers))
        {
            var n = 0;
            var it = series.Samples();
            while (true)
            {
                if (n == ts.Length)
                {
                    Grow(ref ts, n);
                    Grow(ref vals, n);
                }

                var end = n + it.Read(ts.AsSpan(n), vals.AsSpan(n));
                if (end == n)
                {
                    break;
                }

                // Keep the samples in [min, max] in place.
                for (var j = n; j < end; j++)
                {
                    var t = ts[j];
                    if (t >= min && t <= max)
                    {
                        (ts[n], vals[n]) = (t, vals[j]);
                        n++;
                    }
                }
            }

            if (n > 0)
            {
                loaded.Add(new LoadedSeries(series.Labels, Copy(ts, n), Copy(vals, n)));
            }
        }
    }

    // Run at every step of a range query: compiled optimized at once (see ComputeSteps).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                    if (!_groupingKeys.TryGetValue(agg, out var keys))
                    {
                        keys = [];
                        _groupingKeys[agg] = keys;
                    }

                    var result = Aggregation.Evaluate(agg, param, input.Samples, ts, keys);
                    CountSamples(result.Count);
                    return new EvalVector(result);
                }

            case BinaryExpr bin:
                {
                    var lhs = Eval(bin.Lhs, ts);
                    var rhs = Eval(bin.Rhs, ts);
                    if (!_binaryMemos.TryGetValue(bin, out var memo))
                    {
                        memo = new LabelMemo();
                        _binaryMemos[bin] = memo;
                    }

                    var result = BinaryEvaluation.Evaluate(bin, lhs, rhs, ts, memo);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EvalValue EvalVectorSelector(VectorSelector vs, long ts)
    {
        CheckInterrupted();
        var refTime = (vs.At is null ? ts : ResolveAt(vs.At)) - vs.OffsetMs;
        var loaded = Load(vs);
        var result = new List<Sample>(loaded.Count);
        foreach (var series in loaded)
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
            var (times, values) = series.WithoutStaleMarkers();
            var first = FirstAtOrAfter(times, mint);
            var end = FirstAtOrAfter(times, refTime + 1);
            if (end > first)
            {
                var points = new Point[end - first];
                for (var i = first; i < end; i++)
                {
                    points[i - first] = new Point(times[i], values[i]);
                }

                count += points.Length;
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
        if (TryStepResult(call, ts) is { } stepped)
        {
            return stepped;
        }

        var args = new List<EvalValue>(call.Args.Count);
        foreach (var arg in call.Args)
        {
            args.Add(Eval(arg, ts));
        }

        Dictionary<Labels, object>? cache = null;
        if (call.Function.CachesPerSeries && !_seriesCaches.TryGetValue(call, out cache))
        {
            cache = [];
            _seriesCaches[call] = cache;
        }

        var result = call.Function.Eval(new FunctionContext(ts, args, call.Args) { SeriesCache = cache });
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

    /// <summary>
    /// A range function of a plain range selector, at a step of the range query: computed for every step at once on
    /// first use, series by series with a window sliding along the samples (as Prometheus evaluates function calls over
    /// a range), then handed out step by step. Null where the call cannot take this path (other times, e.g. inside a
    /// subquery; functions with more arguments; output label sets that collide once the name is dropped, which the
    /// per-step path reports as an error only at the steps where both are present).
    /// </summary>
    private EvalVector? TryStepResult(CallExpr call, long ts)
    {
        if (_stepMs <= 0 || call.Function.OverWindow is null || call.Args.Count != 1 || call.Args[0] is not MatrixSelector ms
            || ts < _startMs || ts > _endMs || (ts - _startMs) % _stepMs != 0 || (_endMs - _startMs) / _stepMs >= MaxSteppedSteps)
        {
            return null;
        }

        if (!_stepResults.TryGetValue(call, out var results))
        {
            results = ComputeSteps(call.Function, ms);
            _stepResults[call] = results;
        }

        var k = (int)((ts - _startMs) / _stepMs);
        // Each step is handed out once; a second evaluation at the same time (a subquery step that falls on the
        // query's grid) takes the per-step path.
        if (results is null || results.Taken[k])
        {
            return null;
        }

        results.Taken[k] = true;
        CheckInterrupted();
        CountSamples(results.Points[k]);
        var samples = results.SamplesAt(k, ts);
        CountSamples(samples.Count);
        return new EvalVector(samples);
    }

    private StepResults? ComputeSteps(FunctionDef function, MatrixSelector ms)
    {
        var vs = ms.Selector;
        var (min, max) = _windows.TryGetValue(vs, out var w) ? w : (long.MinValue / 2, long.MaxValue / 2);
        try
        {
            return ComputeSteps(function, ms, min, max);
        }
        catch (Exception e) when (e is not (QueryException or OperationCanceledException))
        {
            throw new QueryException(ErrorType.Internal, "storage error: " + e.Message);
        }
    }

    /// <summary>
    /// Reads each series once, straight from the store (not through <see cref="Load"/>: only the current window is
    /// kept), and slides the window along it step by step; windows never move backwards (offset and @ shift or fix them).
    /// </summary>
    // Per-sample loops: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private StepResults? ComputeSteps(FunctionDef function, MatrixSelector ms, long min, long max)
    {
        const int ReadBatch = 256;
        var vs = ms.Selector;
        var selected = _loaded.TryGetValue(vs, out var loaded)
            ? [.. loaded.Select(static l => (IStoredSeries)l)]
            : _querier.Select(min, max, vs.Matchers).ToList();
        var outputs = new Labels[selected.Count];
        var distinct = new HashSet<Labels>();
        for (var i = 0; i < selected.Count; i++)
        {
            var labels = selected[i].Labels;
            outputs[i] = function.KeepsMetricName || !labels.Has(Labels.MetricName) ? labels : labels.WithoutName();
            if (!distinct.Add(outputs[i]))
            {
                return null;
            }
        }

        var stepCount = (int)((_endMs - _startMs) / _stepMs) + 1;
        if ((long)stepCount * Math.Max(selected.Count, 1) > Array.MaxLength)
        {
            return null;
        }

        var results = new StepResults(outputs, stepCount);
        _rented.Add(results);
        var ranges = new EvalMatrix[stepCount];
        for (var k = 0; k < stepCount; k++)
        {
            var ts = _startMs + (k * _stepMs);
            var refTime = (vs.At is null ? ts : ResolveAt(vs.At)) - vs.OffsetMs;
            ranges[k] = new EvalMatrix([], refTime - ms.RangeMs, refTime);
        }

        var f = function.OverWindow!;
        var buffer = ArrayPool<Point>.Shared.Rent(1024);
        var window = new PointWindow(buffer);
        var readTimes = ArrayPool<long>.Shared.Rent(ReadBatch);
        var readValues = ArrayPool<double>.Shared.Rent(ReadBatch);
        try
        {
            for (var i = 0; i < selected.Count; i++)
            {
                CheckInterrupted();
                var it = selected[i].Samples();
                var (first, end) = (0, 0);

                // Samples come from the store a batch at a time: readTimes/readValues[next..read) are not consumed yet.
                var (next, read, exhausted) = (0, 0, false);
                for (var k = 0; k < stepCount; k++)
                {
                    var range = ranges[k];
                    while (first < end && buffer[first].T < range.RangeStart)
                    {
                        first++;
                    }

                    while (true)
                    {
                        if (next == read)
                        {
                            if (exhausted)
                            {
                                break;
                            }

                            (next, read) = (0, it.Read(readTimes.AsSpan(0, ReadBatch), readValues.AsSpan(0, ReadBatch)));
                            if (read == 0)
                            {
                                exhausted = true;
                                break;
                            }
                        }

                        var (t, v) = (readTimes[next], readValues[next]);
                        if (t > range.RangeEnd)
                        {
                            break;
                        }

                        next++;
                        if (t < range.RangeStart || t < min || StaleNaN.Is(v))
                        {
                            continue;
                        }

                        if (end == buffer.Length)
                        {
                            // Keep the window at the front of the buffer; grow it only when the window itself is that large.
                            if (first > 0)
                            {
                                Array.Copy(buffer, first, buffer, 0, end - first);
                                (end, first) = (end - first, 0);
                            }
                            else
                            {
                                Grow(ref buffer, end);
                            }
                        }

                        buffer[end++] = new Point(t, v);
                    }

                    if (end <= first)
                    {
                        continue;
                    }

                    results.Points[k] += end - first;
                    window.Reset(buffer);
                    window.Show(first, end - first);
                    if (f(range, window) is { } result)
                    {
                        results.Set(k, i, result);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<Point>.Shared.Return(buffer);
            ArrayPool<long>.Shared.Return(readTimes);
            ArrayPool<double>.Shared.Return(readValues);
        }

        return results;
    }

    /// <summary>The first <paramref name="n"/> items in a new array that is not zeroed first (it is overwritten at once).</summary>
    private static T[] Copy<T>(T[] source, int n)
    {
        var copy = GC.AllocateUninitializedArray<T>(n);
        Array.Copy(source, copy, n);
        return copy;
    }

    private static void Grow<T>(ref T[] buffer, int used)
    {
        var bigger = ArrayPool<T>.Shared.Rent(buffer.Length * 2);
        Array.Copy(buffer, bigger, used);
        ArrayPool<T>.Shared.Return(buffer);
        buffer = bigger;
    }

    private static int FirstAtOrAfter(long[] times, long t)
    {
        var i = Array.BinarySearch(times, t);
        return i >= 0 ? i : ~i;
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

    /// <summary>
    /// A call's output at every step of the range query, and the range-vector samples each step read: one value per
    /// step and series in pooled arrays (a sample list per step, all alive until their steps come, would be the
    /// query's largest allocation and survive garbage collections), turned into a step's samples when it is asked for.
    /// </summary>
    private sealed class StepResults
    {
        private readonly Labels[] _series;
        private readonly double[] _values;
        private readonly bool[] _present;
        private readonly int[] _counts;

        public StepResults(Labels[] series, int stepCount)
        {
            _series = series;
            var cells = stepCount * Math.Max(series.Length, 1);
            _values = ArrayPool<double>.Shared.Rent(cells);
            _present = ArrayPool<bool>.Shared.Rent(cells);
            Array.Clear(_present, 0, cells);
            _counts = new int[stepCount];
            Points = new long[stepCount];
            Taken = new bool[stepCount];
        }

        public long[] Points { get; }

        public bool[] Taken { get; }

        public void Set(int step, int series, double value)
        {
            var cell = (step * _series.Length) + series;
            (_values[cell], _present[cell]) = (value, true);
            _counts[step]++;
        }

        /// <summary>The samples of step <paramref name="step"/> in series order, as a new list the caller may change.</summary>
        public List<Sample> SamplesAt(int step, long ts)
        {
            var samples = new List<Sample>(_counts[step]);
            var row = step * _series.Length;
            for (var i = 0; i < _series.Length && samples.Count < _counts[step]; i++)
            {
                if (_present[row + i])
                {
                    samples.Add(new Sample(_series[i], ts, _values[row + i]));
                }
            }

            return samples;
        }

        public void Return()
        {
            ArrayPool<double>.Shared.Return(_values);
            ArrayPool<bool>.Shared.Return(_present);
        }
    }

    private sealed record LoadedSeries(Labels Labels, long[] Timestamps, double[] Values) : IStoredSeries
    {
        public ISampleIterator Samples() => new ArrayIterator(Timestamps, Values);

        private (long[] Timestamps, double[] Values)? _withoutStale;

        /// <summary>The samples a range vector sees: staleness markers are not samples there.</summary>
        public (long[] Timestamps, double[] Values) WithoutStaleMarkers()
        {
            if (_withoutStale is { } cached)
            {
                return cached;
            }

            var stale = 0;
            foreach (var v in Values)
            {
                if (StaleNaN.Is(v))
                {
                    stale++;
                }
            }

            if (stale == 0)
            {
                _withoutStale = (Timestamps, Values);
                return (Timestamps, Values);
            }

            var ts = new long[Values.Length - stale];
            var vals = new double[ts.Length];
            var n = 0;
            for (var i = 0; i < Values.Length; i++)
            {
                if (!StaleNaN.Is(Values[i]))
                {
                    (ts[n], vals[n]) = (Timestamps[i], Values[i]);
                    n++;
                }
            }

            _withoutStale = (ts, vals);
            return (ts, vals);
        }

        /// <summary>Index of the last sample at or before <paramref name="t"/>, or -1.</summary>
        public int LastAtOrBefore(long t)
        {
            var i = Array.BinarySearch(Timestamps, t);
            return i >= 0 ? i : ~i - 1;
        }
    }
}

/// <summary>Samples already read into arrays, as an iterator.</summary>
internal sealed class ArrayIterator(long[] timestamps, double[] values) : ISampleIterator
{
    private int _index = -1;

    public long Timestamp => timestamps[_index];

    public double Value => values[_index];

    public bool MoveNext() => ++_index < timestamps.Length;

    public int Read(Span<long> timestampsOut, Span<double> valuesOut)
    {
        var start = _index + 1;
        var n = Math.Min(Math.Min(timestampsOut.Length, valuesOut.Length), timestamps.Length - start);
        if (n <= 0)
        {
            return 0;
        }

        timestamps.AsSpan(start, n).CopyTo(timestampsOut);
        values.AsSpan(start, n).CopyTo(valuesOut);
        _index = start + n - 1;
        return n;
    }
}
