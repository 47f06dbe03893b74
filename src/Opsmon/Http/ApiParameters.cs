using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.Ast;

namespace Opsmon.Http;

/// <summary>Parses the Prometheus HTTP API's parameters the way Prometheus does (web/api/v1/api.go).</summary>
public static class ApiParameters
{
    /// <summary>Prometheus's smallest and largest representable times, used when start/end are absent.</summary>
    public const long MinTime = -9223372036854776L;
    public const long MaxTime = 9223372036854775L;

    /// <summary>A time given as Unix seconds (with fraction) or RFC 3339; null with an error message otherwise.</summary>
    public static long? ParseTime(string? text, long defaultMs, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            return defaultMs;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            return (long)Math.Round(seconds * 1000);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t.ToUnixTimeMilliseconds();
        }

        error = $"cannot parse \"{text}\" to a valid timestamp";
        return null;
    }

    /// <summary>A duration given as seconds (with fraction) or a Prometheus duration such as 15s or 1h30m.</summary>
    public static long? ParseDuration(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "missing duration";
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            return (long)Math.Round(seconds * 1000);
        }

        if (Parser.TryParseDuration(text, out var ms))
        {
            return ms;
        }

        error = $"cannot parse \"{text}\" to a valid duration";
        return null;
    }

    /// <summary>Each match[] value must be a series selector; returns their matcher lists.</summary>
    public static List<IReadOnlyList<LabelMatcher>>? ParseMatchers(IEnumerable<string?> selectors, out string? error)
    {
        error = null;
        var result = new List<IReadOnlyList<LabelMatcher>>();
        foreach (var selector in selectors)
        {
            var parsed = Parser.Parse(selector ?? "");
            if (parsed.Expr is not VectorSelector vs)
            {
                error = parsed.Error ?? $"invalid parameter \"match[]\": expected a series selector, got \"{selector}\"";
                return null;
            }

            result.Add(vs.Matchers);
        }

        return result;
    }
}
