using System.Text.RegularExpressions;

namespace Opsmon.Core.Series;

public enum MatcherType
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// A label matcher as PromQL defines it. Regexes are fully anchored (<c>^(?:re)\z</c>, so a trailing newline is not ignored), and a label
/// that is absent matches as the empty string.
/// </summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(MatcherType type, string name, string value)
    {
        Type = type;
        Name = name;
        Value = value;
        if (type is MatcherType.Regex or MatcherType.NotRegex)
        {
            _regex = new Regex("^(?:" + value + @")\z", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }
    }

    public MatcherType Type { get; }

    public string Name { get; }

    public string Value { get; }

    public static LabelMatcher Equal(string name, string value) => new(MatcherType.Equal, name, value);

    /// <summary>Whether <paramref name="value"/> (empty for an absent label) satisfies this matcher.</summary>
    public bool Matches(string value) => Type switch
    {
        MatcherType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatcherType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatcherType.Regex => _regex!.IsMatch(value),
        MatcherType.NotRegex => !_regex!.IsMatch(value),
        _ => false,
    };

    /// <summary>Whether the matcher accepts the empty string, i.e. also series that lack the label.</summary>
    public bool MatchesEmpty => Matches(string.Empty);

    public override string ToString()
    {
        var op = Type switch
        {
            MatcherType.Equal => "=",
            MatcherType.NotEqual => "!=",
            MatcherType.Regex => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }
}
