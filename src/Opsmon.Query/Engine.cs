using System.Runtime.CompilerServices;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;
using Opsmon.Query.Functions;

namespace Opsmon.Query;

/// <summary>Engine limits and defaults (Prometheus's --query.* flags).</summary>
public sealed record EngineOptions
{
    /// <summary>How far back an instant selector looks for the latest sample.</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most samples a query may hold in memory at once (selected samples of a step plus the result so far).</summary>
    public int MaxSamples { get; init; } = 50_000_000;

    /// <summary>Step of a subquery written without one (<c>[5m:]</c>): Prometheus uses the global evaluation interval.</summary>
    public TimeSpan DefaultSubqueryStep { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Evaluates PromQL over an <see cref="IQuerier"/>: instant queries at one time and range queries at each step
/// from start to end, with Prometheus 2.x semantics (closed lookback and range windows, staleness markers end a series).
/// Bad input and limits come back as a failed <see cref="QueryResult"/>, never as an exception.
/// </summary>
public sealed class QueryEngine(IQuerier querier, EngineOptions options, TimeProvider time)
{
    public QueryEngine(IQuerier querier)
        : this(querier, new EngineOptions(), TimeProvider.System)
    {
    }

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/> (ms since the epoch).</summary>
    public QueryResult InstantQuery(string query, long timeMs, CancellationToken cancellationToken = default)
    {
        var parsed = Parser.Parse(query);
        return parsed.Expr is null
            ? QueryResult.Failure(ErrorType.BadData, parsed.Error!)
            : InstantQuery(parsed.Expr, timeMs, cancellationToken);
    }

    public QueryResult InstantQuery(Expr expr, long timeMs, CancellationToken cancellationToken = default)
    {
        var evaluator = new Evaluator(querier, options, time, timeMs, timeMs, 0, cancellationToken);
        return evaluator.Run(expr, () =>
        {
            evaluator.BeginStep(0);
            var value = evaluator.Eval(expr, timeMs);
            return value switch
            {
                EvalScalar s => new ScalarValue(timeMs, s.V),
                EvalString s => new StringValue(timeMs, s.V),
                EvalVector v => new VectorValue(v.Samples.Select(x => x with { T = timeMs }).ToList()),
                EvalMatrix m => new MatrixValue(m.Series),
                _ => throw new QueryException(ErrorType.Internal, "unexpected value type"),
            };
        });
    }

    /// <summary>Evaluates <paramref name="query"/> at every step from start to end inclusive (all in ms).</summary>
    public QueryResult RangeQuery(string query, long startMs, long endMs, long stepMs, CancellationToken cancellationToken = default)
    {
        var parsed = Parser.Parse(query);
        return parsed.Expr is null
            ? QueryResult.Failure(ErrorType.BadData, parsed.Error!)
            : RangeQuery(parsed.Expr, startMs, endMs, stepMs, cancellationToken);
    }

    public QueryResult RangeQuery(Expr expr, long startMs, long endMs, long stepMs, CancellationToken cancellationToken = default)
    {
        if (expr.Kind is not (ValueKind.Scalar or ValueKind.Vector))
        {
            return QueryResult.Failure(ErrorType.BadData, $"invalid expression type \"{Parser.KindName(expr.Kind)}\" for range query, must be Scalar or instant Vector");
        }

        if (stepMs <= 0)
        {
            return QueryResult.Failure(ErrorType.BadData, "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }

        if (endMs < startMs)
        {
            return QueryResult.Failure(ErrorType.BadData, "end timestamp must not be before start time");
        }

        var evaluator = new Evaluator(querier, options, time, startMs, endMs, stepMs, cancellationToken);
        return evaluator.Run(expr, () => EvaluateSteps(evaluator, expr, startMs, endMs, stepMs));
    }

    /// <summary>The range query's steps, each step's samples appended to their series' points; sorted by labels at the end.</summary>
    // Per-step loop: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static MatrixValue EvaluateSteps(Evaluator evaluator, Expr expr, long startMs, long endMs, long stepMs)
    {
        var series = new Dictionary<Labels, List<Point>>();
        var held = 0;
        var reserve = default(PointReserve);
        for (var ts = startMs; ts <= endMs; ts += stepMs)
        {
            evaluator.BeginStep(held);
            var remaining = (endMs - ts) / stepMs + 1;
            switch (evaluator.Eval(expr, ts))
            {
                case EvalScalar s:
                    Add(series, Labels.Empty, new Point(ts, s.V), ref reserve, remaining);
                    held++;
                    break;
                case EvalVector v:
                    foreach (var sample in v.Samples)
                    {
                        Add(series, sample.Metric, new Point(ts, sample.V), ref reserve, remaining);
                    }

                    held += v.Samples.Count;
                    break;
                default:
                    throw new QueryException(ErrorType.Internal, "unexpected value type in range query");
            }

            evaluator.CountSamples(0);
        }

        var result = series.Select(static kv => new Series(kv.Key, kv.Value)).ToList();
        result.Sort(static (a, b) => a.Metric.CompareTo(b.Metric));
        return new MatrixValue(result);
    }

    // Per-sample loops: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add(Dictionary<Labels, List<Point>> series, Labels labels, Point point, ref PointReserve reserve, long remaining)
    {
        if (!series.TryGetValue(labels, out var points))
        {
            points = new List<Point>(reserve.Take(remaining));
            series[labels] = points;
        }

        points.Add(point);
    }

    /// <summary>
    /// Room for a new result series' points: one per remaining step (a series usually has a point at every step, and a
    /// list that grows by doubling copies and discards its arrays), until a query has reserved a budget's worth; later
    /// series grow as they fill, so many short-lived series cannot reserve steps × series points.
    /// </summary>
    private struct PointReserve
    {
        private const long Budget = 1 << 20;
        private long _reserved;

        public int Take(long remaining)
        {
            if (_reserved + remaining > Budget)
            {
                return 0;
            }

            _reserved += remaining;
            return (int)remaining;
        }
    }
}
