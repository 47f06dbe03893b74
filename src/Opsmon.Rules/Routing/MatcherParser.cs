using System.Text;
using System.Text.RegularExpressions;
using Opsmon.Core.Series;

namespace Opsmon.Rules.Routing;

/// <summary>
/// Parses one matcher in Alertmanager's syntax (<c>name="value"</c>, <c>name=~"re"</c>, <c>name!="value"</c>,
/// <c>name!~"re"</c>; the value may also be unquoted, as Alertmanager's classic parser accepts).
/// See https://prometheus.io/docs/alerting/latest/configuration/#matcher.
/// </summary>
public static class MatcherParser
{
    /// <summary>The matcher, or null with <paramref name="error"/> saying what is wrong and what would be valid.</summary>
    public static LabelMatcher? Parse(string text, out string? error)
    {
        error = null;
        var s = text.Trim();
        if (s.StartsWith('{') && s.EndsWith('}'))
        {
            s = s[1..^1].Trim();
        }

        var nameEnd = 0;
        while (nameEnd < s.Length && IsNameChar(s[nameEnd], nameEnd == 0))
        {
            nameEnd++;
        }

        var name = s[..nameEnd];
        if (name.Length == 0)
        {
            error = $"'{text}' does not start with a label name; a matcher looks like name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\".";
            return null;
        }

        var rest = s[nameEnd..].TrimStart();
        (MatcherType Type, int Length)? op = rest switch
        {
            _ when rest.StartsWith("=~", StringComparison.Ordinal) => (MatcherType.Regex, 2),
            _ when rest.StartsWith("!~", StringComparison.Ordinal) => (MatcherType.NotRegex, 2),
            _ when rest.StartsWith("!=", StringComparison.Ordinal) => (MatcherType.NotEqual, 2),
            _ when rest.StartsWith('=') => (MatcherType.Equal, 1),
            _ => null,
        };
        if (op is null)
        {
            error = $"'{text}' has no operator after '{name}'; use one of =, !=, =~, !~.";
            return null;
        }

        var valueText = rest[op.Value.Length..].Trim();
        string value;
        if (valueText.StartsWith('"'))
        {
            if (!TryUnquote(valueText, out value, out var reason))
            {
                error = $"'{text}': {reason}";
                return null;
            }
        }
        else
        {
            if (valueText.Contains('"', StringComparison.Ordinal) || valueText.Contains(',', StringComparison.Ordinal))
            {
                error = $"'{text}': an unquoted value may not contain '\"' or ','; quote it: {name}=\"...\".";
                return null;
            }

            value = valueText;
        }

        if (op.Value.Type is MatcherType.Regex or MatcherType.NotRegex)
        {
            try
            {
                _ = new Regex(value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                error = $"'{text}': invalid regular expression: {e.Message}";
                return null;
            }
        }

        return new LabelMatcher(op.Value.Type, name, value);
    }

    /// <summary>Whether <paramref name="name"/> is a valid Prometheus label name.</summary>
    public static bool IsLabelName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            if (!IsNameChar(name[i], i == 0))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (!first && c is >= '0' and <= '9');

    private static bool TryUnquote(string quoted, out string value, out string? reason)
    {
        var sb = new StringBuilder();
        value = string.Empty;
        reason = null;
        for (var i = 1; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c == '"')
            {
                if (i != quoted.Length - 1)
                {
                    reason = $"unexpected text after the closing quote: '{quoted[(i + 1)..]}'.";
                    return false;
                }

                value = sb.ToString();
                return true;
            }

            if (c == '\\')
            {
                if (i + 1 >= quoted.Length)
                {
                    break;
                }

                var next = quoted[++i];
                sb.Append(next switch
                {
                    'n' => '\n',
                    't' => '\t',
                    _ => next,
                });
                continue;
            }

            sb.Append(c);
        }

        reason = "the value's closing quote is missing.";
        return false;
    }
}
