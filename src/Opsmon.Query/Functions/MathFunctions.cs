using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>Element-wise math over an instant vector: abs, ceil, exp, ln, round, clamp, trigonometry, …</summary>
internal static class MathFunctions
{
    private static readonly ValueKind[] Vector = [ValueKind.Vector];

    public static IEnumerable<FunctionDef> Definitions() =>
    [
        Simple("abs", Math.Abs),
        Simple("ceil", Math.Ceiling),
        Simple("floor", Math.Floor),
        Simple("exp", Math.Exp),
        Simple("sqrt", Math.Sqrt),
        Simple("ln", Math.Log),
        Simple("log2", Math.Log2),
        Simple("log10", Math.Log10),
        Simple("sgn", static v => v < 0 ? -1 : v > 0 ? 1 : v),
        Simple("sin", Math.Sin),
        Simple("cos", Math.Cos),
        Simple("tan", Math.Tan),
        Simple("asin", Math.Asin),
        Simple("acos", Math.Acos),
        Simple("atan", Math.Atan),
        Simple("sinh", Math.Sinh),
        Simple("cosh", Math.Cosh),
        Simple("tanh", Math.Tanh),
        Simple("asinh", Math.Asinh),
        Simple("acosh", Math.Acosh),
        Simple("atanh", Math.Atanh),
        Simple("deg", static v => v * 180 / Math.PI),
        Simple("rad", static v => v * Math.PI / 180),
        new("pi", [], 0, ValueKind.Scalar, static _ => new EvalScalar(Math.PI)),
        new("round", [ValueKind.Vector, ValueKind.Scalar], 1, ValueKind.Vector, static ctx =>
        {
            // Prometheus rounds half up through the inverse so that e.g. 0.1 steps stay exact.
            var toNearestInverse = 1.0 / (ctx.Args.Count > 1 ? ctx.Scalar(1) : 1.0);
            return Map(ctx, v => Math.Floor((v * toNearestInverse) + 0.5) / toNearestInverse);
        }),
        new("clamp", [ValueKind.Vector, ValueKind.Scalar, ValueKind.Scalar], 0, ValueKind.Vector, static ctx =>
        {
            var (min, max) = (ctx.Scalar(1), ctx.Scalar(2));
            return max < min ? new EvalVector([]) : Map(ctx, v => Math.Max(min, Math.Min(max, v)));
        }),
        new("clamp_min", [ValueKind.Vector, ValueKind.Scalar], 0, ValueKind.Vector, static ctx =>
        {
            var min = ctx.Scalar(1);
            return Map(ctx, v => Math.Max(min, v));
        }),
        new("clamp_max", [ValueKind.Vector, ValueKind.Scalar], 0, ValueKind.Vector, static ctx =>
        {
            var max = ctx.Scalar(1);
            return Map(ctx, v => Math.Min(max, v));
        }),
    ];

    private static FunctionDef Simple(string name, Func<double, double> f) =>
        new(name, Vector, 0, ValueKind.Vector, ctx => Map(ctx, f));

    internal static EvalVector Map(FunctionContext ctx, Func<double, double> f)
    {
        var input = ctx.Vector(0);
        var result = new List<Sample>(input.Count);
        foreach (var s in input)
        {
            result.Add(new Sample(s.Metric, ctx.Ts, f(s.V)));
        }

        return new EvalVector(result);
    }
}
