using System.Text;
using System.Text.RegularExpressions;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Functions;

/// <summary>label_replace and label_join.</summary>
internal static class LabelFunctions
{
    public static IEnumerable<FunctionDef> Definitions() =>
    [
        new("label_replace", [ValueKind.Vector, ValueKind.String, ValueKind.String, ValueKind.String, ValueKind.String], 0, ValueKind.Vector, LabelReplace)
        {
            KeepsMetricName = true,
        },
        new("label_join", [ValueKind.Vector, ValueKind.String, ValueKind.String, ValueKind.String], -1, ValueKind.Vector, LabelJoin)
        {
            KeepsMetricName = true,
        },
    ];

    public static bool IsValidLabelName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static EvalValue LabelReplace(FunctionContext ctx)
    {
        var (dst, replacement, src, pattern) = (ctx.String(1), ctx.String(2), ctx.String(3), ctx.String(4));
        Regex regex;
        try
        {
            // \z, not $: Go's $ never matches before a trailing newline, .NET's does.
            regex = new Regex("^(?:" + pattern + ")\\z", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }
        catch (ArgumentException e)
        {
            throw new QueryException(ErrorType.Execution, "invalid regular expression in label_replace(): " + e.Message);
        }

        if (!IsValidLabelName(dst))
        {
            throw new QueryException(ErrorType.Execution, "invalid destination label name in label_replace(): " + dst);
        }

        var result = new List<Sample>();
        foreach (var s in ctx.Vector(0))
        {
            var match = regex.Match(s.Metric.Get(src));
            if (!match.Success)
            {
                result.Add(s with { T = ctx.Ts });
                continue;
            }

            var value = Expand(replacement, match, regex);
            result.Add(new Sample(value.Length == 0 ? s.Metric.Without(dst) : s.Metric.With(dst, value), ctx.Ts, s.V));
        }

        return new EvalVector(result);
    }

    /// <summary>Go's Regexp.Expand: <c>$name</c> takes the longest run of word characters, <c>${name}</c> is explicit, <c>$$</c> is a dollar.</summary>
    private static string Expand(string template, Match match, Regex regex)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                continue;
            }

            if (template[i + 1] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            string name;
            if (template[i + 1] == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close < 0)
                {
                    sb.Append(c);
                    continue;
                }

                name = template[(i + 2)..close];
                i = close;
            }
            else
            {
                var j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
                {
                    j++;
                }

                if (j == i + 1)
                {
                    sb.Append(c);
                    continue;
                }

                name = template[(i + 1)..j];
                i = j - 1;
            }

            var number = int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;
            if (number >= 0)
            {
                if (number < match.Groups.Count && regex.GroupNumberFromName(number.ToString(System.Globalization.CultureInfo.InvariantCulture)) == number)
                {
                    sb.Append(match.Groups[number].Value);
                }
            }
            else if (regex.GroupNumberFromName(name) >= 0)
            {
                sb.Append(match.Groups[name].Value);
            }
        }

        return sb.ToString();
    }

    private static EvalValue LabelJoin(FunctionContext ctx)
    {
        var (dst, separator) = (ctx.String(1), ctx.String(2));
        var sources = new List<string>();
        for (var i = 3; i < ctx.Args.Count; i++)
        {
            var name = ctx.String(i);
            if (!IsValidLabelName(name))
            {
                throw new QueryException(ErrorType.Execution, "invalid source label name in label_join(): " + name);
            }

            sources.Add(name);
        }

        if (!IsValidLabelName(dst))
        {
            throw new QueryException(ErrorType.Execution, "invalid destination label name in label_join(): " + dst);
        }

        var result = new List<Sample>();
        foreach (var s in ctx.Vector(0))
        {
            var value = string.Join(separator, sources.Select(s.Metric.Get));
            result.Add(new Sample(value.Length == 0 ? s.Metric.Without(dst) : s.Metric.With(dst, value), ctx.Ts, s.V));
        }

        return new EvalVector(result);
    }
}
