using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Opsmon.Core.Series;

namespace Opsmon.Query.PromqlTest;

/// <summary>
/// Runs a script in Prometheus's promqltest format against a fresh <see cref="MemoryStorage"/>:
/// <c>load</c> writes samples, <c>clear</c> drops them, each <c>eval</c> is one case compared within Prometheus's epsilon.
/// </summary>
public static class PromqlTestRunner
{
    private const double Epsilon = 0.000001;
    private const double MinNormal = 2.2250738585072014e-308;

    public static TestReport Run(string scriptText, string fileName) => Run(scriptText, fileName, new EngineOptions(), TimeProvider.System);

    public static TestReport Run(string scriptText, string fileName, EngineOptions options, TimeProvider time)
    {
        var (commands, errors) = TestScript.Parse(scriptText);
        var failures = errors.Select(e => new TestFailure(fileName, e.Line, "(script)", e.Message)).ToList();
        var storage = new MemoryStorage();
        var engine = new QueryEngine(storage, options, time);
        var passed = 0;
        foreach (var command in commands)
        {
            switch (command)
            {
                case ClearCommand:
                    storage.Clear();
                    break;
                case LoadCommand load:
                    foreach (var (labels, values) in load.Series)
                    {
                        for (var i = 0; i < values.Count; i++)
                        {
                            if (values[i] is { } v)
                            {
                                storage.Append(labels, i * load.IntervalMs, v);
                            }
                        }
                    }

                    storage.Commit();
                    break;
                case EvalCommand eval:
                    var problem = RunEval(engine, eval);
                    if (problem is null)
                    {
                        passed++;
                    }
                    else
                    {
                        failures.Add(new TestFailure(fileName, eval.Line, Describe(eval), problem));
                    }

                    break;
                default:
                    break;
            }
        }

        failures.Sort(static (a, b) => a.Line.CompareTo(b.Line));
        return new TestReport(fileName, passed, failures);
    }

    private static string Describe(EvalCommand eval) => eval.IsRange
        ? string.Create(CultureInfo.InvariantCulture, $"eval range from {eval.StartMs / 1000.0}s to {eval.EndMs / 1000.0}s step {eval.StepMs / 1000.0}s {eval.Expr}")
        : string.Create(CultureInfo.InvariantCulture, $"eval instant at {eval.StartMs / 1000.0}s {eval.Expr}");

    /// <summary>Null when the eval passes, otherwise what differed.</summary>
    private static string? RunEval(QueryEngine engine, EvalCommand eval)
    {
        var result = eval.IsRange
            ? engine.RangeQuery(eval.Expr, eval.StartMs, eval.EndMs, eval.StepMs)
            : engine.InstantQuery(eval.Expr, eval.StartMs);
        if (eval.ExpectFail)
        {
            if (result.IsSuccess)
            {
                return "expected an error, got a result:\n" + Render(result.Value!);
            }

            if (eval.FailMessage is not null && eval.FailMessage != result.Error)
            {
                return $"expected error \"{eval.FailMessage}\", got \"{result.Error}\"";
            }

            if (eval.FailRegexp is not null && !Regex.IsMatch(result.Error!, eval.FailRegexp))
            {
                return $"expected error matching \"{eval.FailRegexp}\", got \"{result.Error}\"";
            }

            return null;
        }

        if (!result.IsSuccess)
        {
            return $"unexpected error ({result.ErrorType?.ToWireName()}): {result.Error}";
        }

        return result.Value switch
        {
            ScalarValue s => CompareScalar(eval, s),
            VectorValue v => CompareVector(eval, v),
            MatrixValue m when eval.IsRange => CompareRange(eval, m),
            MatrixValue m => CompareInstantMatrix(eval, m),
            StringValue s => $"string results are not comparable: got \"{s.V}\"",
            _ => "unknown result type",
        };
    }

    private static string? CompareScalar(EvalCommand eval, ScalarValue s)
    {
        if (eval.ExpectedScalar is not { } expected)
        {
            return $"expected {ExpectedText(eval)}, got scalar {Format(s.V)}";
        }

        return AlmostEqual(expected, s.V) ? null : $"expected scalar {Format(expected)}, got {Format(s.V)}";
    }

    private static string? CompareVector(EvalCommand eval, VectorValue actual)
    {
        if (eval.ExpectedScalar is not null)
        {
            return $"expected scalar {Format(eval.ExpectedScalar.Value)}, got vector:\n{Render(actual)}";
        }

        var expected = new Dictionary<Labels, ExpectedSeries>();
        foreach (var e in eval.Expected)
        {
            if (!expected.TryAdd(e.Labels, e))
            {
                return $"line {e.Line}: duplicate expected series {e.Labels}";
            }

            if (e.Values.Count != 1 || e.Values[0] is null)
            {
                return $"line {e.Line}: an instant result expects exactly one value for {e.Labels}";
            }
        }

        var problems = new StringBuilder();
        foreach (var sample in actual.Samples)
        {
            if (!expected.TryGetValue(sample.Metric, out var e))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"unexpected {sample.Metric} {Format(sample.V)}");
            }
            else if (!AlmostEqual(e.Values[0]!.Value, sample.V))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"{sample.Metric}: expected {Format(e.Values[0]!.Value)}, got {Format(sample.V)}");
            }
        }

        var actualLabels = actual.Samples.Select(static s => s.Metric).ToHashSet();
        foreach (var e in eval.Expected.Where(e => !actualLabels.Contains(e.Labels)))
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"missing {e.Labels} {Format(e.Values[0]!.Value)}");
        }

        if (problems.Length == 0 && eval.Ordered)
        {
            var order = actual.Samples.Select(static s => s.Metric).ToList();
            for (var i = 0; i < order.Count; i++)
            {
                if (!order[i].Equals(eval.Expected[i].Labels))
                {
                    problems.AppendLine(CultureInfo.InvariantCulture, $"position {i}: expected {eval.Expected[i].Labels}, got {order[i]}");
                    break;
                }
            }
        }

        return problems.Length == 0 ? null : problems.ToString().TrimEnd() + "\nactual:\n" + Render(actual);
    }

    private static string? CompareRange(EvalCommand eval, MatrixValue actual)
    {
        var expected = new Dictionary<Labels, List<Point>>();
        foreach (var e in eval.Expected)
        {
            var points = new List<Point>();
            for (var i = 0; i < e.Values.Count; i++)
            {
                if (e.Values[i] is { } v)
                {
                    points.Add(new Point(eval.StartMs + (i * eval.StepMs), v));
                }
            }

            if (!expected.TryAdd(e.Labels, points))
            {
                return $"line {e.Line}: duplicate expected series {e.Labels}";
            }
        }

        var problems = new StringBuilder();
        foreach (var series in actual.Series)
        {
            if (!expected.TryGetValue(series.Metric, out var points))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"unexpected series {series.Metric} {RenderPoints(series.Points)}");
                continue;
            }

            var same = points.Count == series.Points.Count;
            for (var i = 0; same && i < points.Count; i++)
            {
                same = points[i].T == series.Points[i].T && AlmostEqual(points[i].V, series.Points[i].V);
            }

            if (!same)
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"{series.Metric}: expected {RenderPoints(points)}, got {RenderPoints(series.Points)}");
            }
        }

        var actualLabels = actual.Series.Select(static s => s.Metric).ToHashSet();
        foreach (var (labels, points) in expected.Where(kv => !actualLabels.Contains(kv.Key)))
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"missing series {labels} {RenderPoints(points)}");
        }

        return problems.Length == 0 ? null : problems.ToString().TrimEnd();
    }

    /// <summary>An instant query of a range selector: each series' values, in order (timestamps follow from the data).</summary>
    private static string? CompareInstantMatrix(EvalCommand eval, MatrixValue actual)
    {
        var expected = eval.Expected.ToDictionary(static e => e.Labels, static e => e.Values.Where(static v => v is not null).Select(static v => v!.Value).ToList());
        var problems = new StringBuilder();
        foreach (var series in actual.Series)
        {
            if (!expected.TryGetValue(series.Metric, out var values))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"unexpected series {series.Metric} {RenderPoints(series.Points)}");
            }
            else if (values.Count != series.Points.Count || values.Zip(series.Points).Any(static p => !AlmostEqual(p.First, p.Second.V)))
            {
                problems.AppendLine(CultureInfo.InvariantCulture, $"{series.Metric}: expected {string.Join(' ', values.Select(Format))}, got {RenderPoints(series.Points)}");
            }
        }

        var actualLabels = actual.Series.Select(static s => s.Metric).ToHashSet();
        foreach (var labels in expected.Keys.Where(l => !actualLabels.Contains(l)))
        {
            problems.AppendLine(CultureInfo.InvariantCulture, $"missing series {labels}");
        }

        return problems.Length == 0 ? null : problems.ToString().TrimEnd();
    }

    /// <summary>Prometheus's almostEqual: both NaN are equal; otherwise a relative difference below the epsilon.</summary>
    internal static bool AlmostEqual(double a, double b)
    {
        if (double.IsNaN(a) && double.IsNaN(b))
        {
            return true;
        }

        if (a == b)
        {
            return true;
        }

        var absSum = Math.Abs(a) + Math.Abs(b);
        var diff = Math.Abs(a - b);
        if (a == 0 || b == 0 || absSum < MinNormal)
        {
            return diff < Epsilon * MinNormal;
        }

        return diff / Math.Min(absSum, double.MaxValue) < Epsilon;
    }

    private static string ExpectedText(EvalCommand eval) =>
        eval.Expected.Count == 0 ? "an empty result" : string.Join(", ", eval.Expected.Select(static e => e.Labels.ToString()));

    private static string Format(double v) => StaleNaN.Is(v) ? "stale" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string RenderPoints(IReadOnlyList<Point> points) =>
        string.Join(' ', points.Select(static p => $"{Format(p.V)}@{(p.T / 1000.0).ToString(CultureInfo.InvariantCulture)}s"));

    private static string Render(QueryValue value) => value switch
    {
        ScalarValue s => Format(s.V),
        StringValue s => "\"" + s.V + "\"",
        VectorValue v => v.Samples.Count == 0 ? "(empty vector)" : string.Join('\n', v.Samples.Select(static s => $"{s.Metric} {Format(s.V)}")),
        MatrixValue m => m.Series.Count == 0 ? "(empty matrix)" : string.Join('\n', m.Series.Select(static s => $"{s.Metric} {RenderPoints(s.Points)}")),
        _ => value.ToString(),
    };
}
