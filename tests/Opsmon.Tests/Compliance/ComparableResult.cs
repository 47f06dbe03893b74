using System.Globalization;
using System.Text;
using System.Text.Json;
using Opsmon.Query;

namespace Opsmon.Tests.Compliance;

/// <summary>
/// A query answer reduced to what both engines must agree on: the result type, each series' label set
/// and its (time, value) points, or the fact that the query failed. Both Opsmon's <see cref="QueryResult"/>
/// and Prometheus's JSON answer convert to it.
/// </summary>
public sealed record ComparableResult(string Type, IReadOnlyList<ComparableSeries> Series, string? Text, string? Error)
{
    private const double RelativeTolerance = 1e-9;

    // Results that should be 0 can come out as ±1e-16 through a different summation order.
    private const double AbsoluteTolerance = 1e-12;

    public static ComparableResult FromOpsmon(QueryResult result)
    {
        if (!result.IsSuccess)
        {
            return new ComparableResult("error", [], null, result.Error);
        }

        return result.Value switch
        {
            ScalarValue s => new ComparableResult("scalar", [new ComparableSeries("", [(s.T, s.V)])], null, null),
            StringValue s => new ComparableResult("string", [], s.V, null),
            VectorValue v => new ComparableResult("vector", [.. v.Samples.Select(x => new ComparableSeries(Key(x.Metric), [(x.T, x.V)]))], null, null),
            MatrixValue m => new ComparableResult("matrix", [.. m.Series.Select(x => new ComparableSeries(Key(x.Metric), [.. x.Points.Select(p => (p.T, p.V))]))], null, null),
            _ => new ComparableResult("error", [], null, "unknown value type"),
        };
    }

    public static ComparableResult FromPrometheus(JsonElement body)
    {
        if (body.GetProperty("status").GetString() != "success")
        {
            return new ComparableResult("error", [], null, body.TryGetProperty("error", out var e) ? e.GetString() : "error");
        }

        var data = body.GetProperty("data");
        var type = data.GetProperty("resultType").GetString()!;
        var result = data.GetProperty("result");
        switch (type)
        {
            case "scalar":
                return new ComparableResult(type, [new ComparableSeries("", [Point(result)])], null, null);
            case "string":
                return new ComparableResult(type, [], result[1].GetString(), null);
            case "vector":
                return new ComparableResult(type, [.. result.EnumerateArray().Select(x => new ComparableSeries(Key(x.GetProperty("metric")), [Point(x.GetProperty("value"))]))], null, null);
            default:
                return new ComparableResult(type, [.. result.EnumerateArray().Select(x => new ComparableSeries(Key(x.GetProperty("metric")), [.. x.GetProperty("values").EnumerateArray().Select(Point)]))], null, null);
        }
    }

    /// <summary>Null when the answers agree, else why not. Series order counts only when <paramref name="ordered"/>.</summary>
    public static string? Difference(ComparableResult ours, ComparableResult theirs, bool ordered)
    {
        if (ours.Type == "error" || theirs.Type == "error")
        {
            return ours.Type == theirs.Type ? null : "only one failed";
        }

        if (ours.Type != theirs.Type)
        {
            return $"result type {ours.Type} vs {theirs.Type}";
        }

        if (ours.Text != theirs.Text)
        {
            return "string differs";
        }

        if (ours.Series.Count != theirs.Series.Count)
        {
            return $"{ours.Series.Count} series vs {theirs.Series.Count}";
        }

        var a = ordered ? ours.Series : [.. ours.Series.OrderBy(s => s.Labels, StringComparer.Ordinal)];
        var b = ordered ? theirs.Series : [.. theirs.Series.OrderBy(s => s.Labels, StringComparer.Ordinal)];
        for (var i = 0; i < a.Count; i++)
        {
            // Ties in sort()/topk may come in either order; for ordered results only the values' order counts.
            if (!ordered && a[i].Labels != b[i].Labels)
            {
                return $"labels {a[i].Labels} vs {b[i].Labels}";
            }

            if (a[i].Points.Count != b[i].Points.Count)
            {
                var onlyOurs = a[i].Points.Select(p => p.T).Except(b[i].Points.Select(p => p.T)).Take(3);
                var onlyTheirs = b[i].Points.Select(p => p.T).Except(a[i].Points.Select(p => p.T)).Take(3);
                return $"{a[i].Labels}: {a[i].Points.Count} points vs {b[i].Points.Count} (only ours at [{string.Join(' ', onlyOurs)}], only theirs at [{string.Join(' ', onlyTheirs)}])";
            }

            for (var j = 0; j < a[i].Points.Count; j++)
            {
                var (ta, va) = a[i].Points[j];
                var (tb, vb) = b[i].Points[j];
                if (ta != tb || !Close(va, vb))
                {
                    return $"{a[i].Labels}: point {j} {F(va)}@{ta} vs {F(vb)}@{tb}";
                }
            }
        }

        if (ordered)
        {
            var setA = a.Select(s => s.Labels).Order(StringComparer.Ordinal);
            var setB = b.Select(s => s.Labels).Order(StringComparer.Ordinal);
            if (!setA.SequenceEqual(setB))
            {
                return "label sets differ";
            }
        }

        return null;
    }

    public string Summary()
    {
        if (Error is not null)
        {
            return $"error: {Error}";
        }

        if (Text is not null)
        {
            return $"string: {Text}";
        }

        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Type} of {Series.Count}");
        foreach (var s in Series.Take(3))
        {
            sb.Append(CultureInfo.InvariantCulture, $"; {s.Labels} [{string.Join(' ', s.Points.Take(3).Select(p => $"{F(p.V)}@{p.T}"))}{(s.Points.Count > 3 ? " …" : "")}]");
        }

        return sb.ToString();
    }

    private static bool Close(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return double.IsNaN(a) && double.IsNaN(b);
        }

        if (double.IsInfinity(a) || double.IsInfinity(b))
        {
            return a.Equals(b);
        }

        var diff = Math.Abs(a - b);
        return diff <= AbsoluteTolerance || diff <= RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(b));
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static (long T, double V) Point(JsonElement pair)
    {
        var t = (long)Math.Round(pair[0].GetDouble() * 1000);
        var text = pair[1].GetString()!;
        var v = text switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (t, v);
    }

    private static string Key(Opsmon.Core.Series.Labels labels)
    {
        var pairs = new List<string>();
        foreach (var label in labels.AsSpan())
        {
            pairs.Add($"{label.Name}=\"{label.Value}\"");
        }

        return Join(pairs);
    }

    private static string Key(JsonElement metric) =>
        Join([.. metric.EnumerateObject().Select(p => $"{p.Name}=\"{p.Value.GetString()}\"")]);

    private static string Join(List<string> pairs)
    {
        pairs.Sort(StringComparer.Ordinal);
        return "{" + string.Join(",", pairs) + "}";
    }
}

public sealed record ComparableSeries(string Labels, IReadOnlyList<(long T, double V)> Points);
