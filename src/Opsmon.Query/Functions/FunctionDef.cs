using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>
/// A PromQL function: its argument types (the last one repeats when <see cref="Variadic"/> is non-zero:
/// -1 for any number of extra arguments, n for at most n optional ones, as Prometheus's parser.Function).
/// </summary>
public sealed record FunctionDef(string Name, ValueKind[] ArgKinds, int Variadic, ValueKind ReturnKind, Func<FunctionContext, EvalValue> Eval)
{
    /// <summary>Whether the output keeps <c>__name__</c> (most functions drop it).</summary>
    public bool KeepsMetricName { get; init; }

    /// <summary>
    /// For a function of one range vector only: its value over one series' window (null: no output), so a range
    /// query can step each series through a sliding window instead of building a matrix at every step.
    /// </summary>
    internal Func<EvalMatrix, IReadOnlyList<Point>, double?>? OverWindow { get; init; }

    /// <summary>Whether the function keeps something derived from each input series across the steps of a query (<see cref="FunctionContext.SeriesCache"/>).</summary>
    internal bool CachesPerSeries { get; init; }
}

/// <summary>What a function sees when called at one evaluation time.</summary>
public sealed record FunctionContext(long Ts, IReadOnlyList<EvalValue> Args, IReadOnlyList<Expr> ArgExprs)
{
    /// <summary>
    /// For a function that <see cref="FunctionDef.CachesPerSeries"/>: what it derived from an input label set at an
    /// earlier step of this query at this call (e.g. histogram_quantile's group and bucket bound), so a series'
    /// labels are worked out once per query, not once per step. Null where nothing is kept.
    /// </summary>
    internal Dictionary<Labels, object>? SeriesCache { get; init; }

    public double Scalar(int i) => ((EvalScalar)Args[i]).V;

    public List<Sample> Vector(int i) => ((EvalVector)Args[i]).Samples;

    public EvalMatrix Matrix(int i) => (EvalMatrix)Args[i];

    public string String(int i) => ((EvalString)Args[i]).V;
}

/// <summary>A value during evaluation at one timestamp.</summary>
public abstract record EvalValue;

public sealed record EvalScalar(double V) : EvalValue;

public sealed record EvalString(string V) : EvalValue;

public sealed record EvalVector(List<Sample> Samples) : EvalValue;

/// <summary>A range vector: series with their points in [RangeStart, RangeEnd] (ms), as rate's extrapolation needs the bounds.</summary>
public sealed record EvalMatrix(List<Series> Series, long RangeStart, long RangeEnd) : EvalValue
{
    public double RangeSeconds => (RangeEnd - RangeStart) / 1000.0;
}

/// <summary>Every function by name: a new function is one entry in one family's list.</summary>
public static class FunctionRegistry
{
    private static readonly Dictionary<string, FunctionDef> All = Build();

    public static bool TryGet(string name, out FunctionDef function) => All.TryGetValue(name, out function!);

    public static IEnumerable<string> Names => All.Keys;

    private static Dictionary<string, FunctionDef> Build()
    {
        var all = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);
        foreach (var f in RangeFunctions.Definitions()
            .Concat(MathFunctions.Definitions())
            .Concat(VectorFunctions.Definitions())
            .Concat(LabelFunctions.Definitions())
            .Concat(TimeFunctions.Definitions())
            .Concat(HistogramFunctions.Definitions()))
        {
            all.Add(f.Name, f);
        }

        return all;
    }
}
