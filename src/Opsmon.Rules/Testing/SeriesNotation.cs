using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.Ast;

namespace Opsmon.Rules.Testing;

/// <summary>
/// Prometheus's series description notation used by promtool's input_series and exp_samples:
/// <c>metric{a="b"}</c> labels, and values <c>1 2 _ stale 1+2x3 5-1x2 7x2 _x3</c>
/// (<c>a+bxn</c> expands to n+1 values, <c>_xn</c> to n gaps).
/// </summary>
public static class SeriesNotation
{
    /// <summary>Parses a label set such as <c>up{job="a"}</c> or <c>{__name__="up"}</c>; null with an error when invalid.</summary>
    public static Labels? ParseLabels(string text, out string? error)
    {
        error = null;
        var trimmed = text.Trim();
        if (trimmed is "{}" or "")
        {
            return Labels.Empty;
        }

        var parsed = Parser.Parse(trimmed);
        if (parsed.Expr is not VectorSelector selector || selector.OffsetMs != 0)
        {
            error = parsed.Error ?? $"invalid series \"{text}\"";
            return null;
        }

        var labels = new List<Label>();
        foreach (var m in selector.Matchers)
        {
            if (m.Type != MatcherType.Equal)
            {
                error = $"invalid series \"{text}\": only = matchers describe a series";
                return null;
            }

            labels.Add(new Label(m.Name, m.Value));
        }

        return Labels.From(labels);
    }

    /// <summary>Expands a values string; null entries are gaps (<c>_</c>).</summary>
    public static List<double?>? ParseValues(string text, out string? error)
    {
        error = null;
        var values = new List<double?>();
        foreach (var token in text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Expand(token, values))
            {
                error = $"invalid value \"{token}\" in series values \"{text}\"";
                return null;
            }
        }

        return values;
    }

    private static bool Expand(string token, List<double?> values)
    {
        if (token == "_")
        {
            values.Add(null);
            return true;
        }

        if (token == "stale")
        {
            values.Add(StaleNaN.Value);
            return true;
        }

        var x = token.LastIndexOf('x');
        if (x <= 0 || !int.TryParse(token.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var times))
        {
            if (!Parser.TryParseNumber(token, out var single))
            {
                return false;
            }

            values.Add(single);
            return true;
        }

        var head = token[..x];
        if (head == "_")
        {
            values.AddRange(Enumerable.Repeat<double?>(null, times));
            return true;
        }

        var split = -1;
        for (var i = 1; i < head.Length; i++)
        {
            if (head[i] is '+' or '-' && head[i - 1] is not ('e' or 'E'))
            {
                split = i;
                break;
            }
        }

        if (!Parser.TryParseNumber(split < 0 ? head : head[..split], out var start))
        {
            return false;
        }

        var step = 0.0;
        if (split >= 0 && !Parser.TryParseNumber(head[split..], out step))
        {
            return false;
        }

        // Repeated addition, as Prometheus expands it, so values carry the same rounding.
        for (var i = 0; i <= times; i++)
        {
            values.Add(start);
            start += step;
        }

        return true;
    }
}
