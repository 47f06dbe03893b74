using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>Type conversion and whole-vector functions: time, timestamp, vector, scalar, absent, sort.</summary>
internal static class VectorFunctions
{
    public static IEnumerable<FunctionDef> Definitions() =>
    [
        new("time", [], 0, ValueKind.Scalar, static ctx => new EvalScalar(ctx.Ts / 1000.0)),
        new("vector", [ValueKind.Scalar], 0, ValueKind.Vector, static ctx => new EvalVector([new Sample(Labels.Empty, ctx.Ts, ctx.Scalar(0))])),
        new("scalar", [ValueKind.Vector], 0, ValueKind.Scalar, static ctx =>
        {
            var v = ctx.Vector(0);
            return new EvalScalar(v.Count == 1 ? v[0].V : double.NaN);
        }),
        new("timestamp", [ValueKind.Vector], 0, ValueKind.Vector, static ctx =>
        {
            // Only a plain selector has its samples' own timestamps; any other expression is stamped with the evaluation time.
            var fromSelector = Unwrap(ctx.ArgExprs[0]) is VectorSelector;
            return new EvalVector(ctx.Vector(0).Select(s => new Sample(s.Metric, ctx.Ts, (fromSelector ? s.T : ctx.Ts) / 1000.0)).ToList());
        }),
        new("absent", [ValueKind.Vector], 0, ValueKind.Vector, static ctx =>
            ctx.Vector(0).Count > 0
                ? new EvalVector([])
                : new EvalVector([new Sample(AbsentLabels(ctx.ArgExprs[0]), ctx.Ts, 1)])),
        new("sort", [ValueKind.Vector], 0, ValueKind.Vector, static ctx => Sort(ctx, descending: false)) { KeepsMetricName = true },
        new("sort_desc", [ValueKind.Vector], 0, ValueKind.Vector, static ctx => Sort(ctx, descending: true)) { KeepsMetricName = true },
    ];

    private static Expr Unwrap(Expr e) => e is ParenExpr p ? Unwrap(p.Inner) : e;

    private static EvalVector Sort(FunctionContext ctx, bool descending)
    {
        var input = ctx.Vector(0).Select(s => s with { T = ctx.Ts }).ToList();
        // NaN sorts last either way; ties keep their input order.
        var sorted = descending
            ? input.OrderBy(static s => double.IsNaN(s.V)).ThenByDescending(static s => s.V)
            : input.OrderBy(static s => double.IsNaN(s.V)).ThenBy(static s => s.V);
        return new EvalVector([.. sorted]);
    }

    /// <summary>The labels absent() reports: those its selector pins with one equality matcher each.</summary>
    internal static Labels AbsentLabels(Expr expr)
    {
        var selector = expr switch
        {
            VectorSelector vs => vs,
            MatrixSelector ms => ms.Selector,
            _ => null,
        };
        if (selector is null)
        {
            return Labels.Empty;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in selector.Matchers)
        {
            if (m.Type != MatcherType.Equal || m.Name == Labels.MetricName)
            {
                continue;
            }

            if (seen.Add(m.Name))
            {
                labels[m.Name] = m.Value;
            }
            else
            {
                labels.Remove(m.Name);
            }
        }

        return Labels.From(labels.Select(static kv => new Label(kv.Key, kv.Value)));
    }
}
