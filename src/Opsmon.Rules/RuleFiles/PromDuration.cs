using System.Globalization;
using System.Text;

namespace Opsmon.Rules.RuleFiles;

/// <summary>
/// Prometheus's model.Duration as written in rule and test files: <c>1y2w3d4h5m6s7ms</c>, units in that order,
/// each at most once, or the bare <c>0</c>. A year is 365 days.
/// </summary>
public static class PromDuration
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000), ("m", 60L * 1000), ("s", 1000L), ("ms", 1L),
    ];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }

        if (text.Length == 0)
        {
            return false;
        }

        long total = 0;
        var i = 0;
        var nextUnit = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            var unit = text[unitStart..i];
            var index = Array.FindIndex(Units, nextUnit, u => u.Unit == unit);
            if (index < 0)
            {
                return false;
            }

            nextUnit = index + 1;
            total = checked(total + (n * Units[index].Ms));
        }

        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Formats like model.Duration.String: <c>1h30m</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (ms < 0)
        {
            sb.Append('-');
            ms = -ms;
        }

        foreach (var (unit, size) in Units)
        {
            var n = ms / size;
            if (n > 0)
            {
                sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
                ms -= n * size;
            }
        }

        return sb.ToString();
    }
}
