using System.Globalization;

namespace Opsmon.Rules.Templating;

/// <summary>
/// Prometheus's template helpers humanize, humanize1024, humanizePercentage and humanizeDuration, with the same
/// prefixes, rounding (<c>%.4g</c>) and layout (<c>1d 2h 3m 4s</c>) as template/template.go.
/// </summary>
public static class Humanize
{
    private static readonly string[] BigPrefixes = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
    private static readonly string[] BigPrefixes1024 = ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];
    private static readonly string[] SmallPrefixes = ["m", "u", "n", "p", "f", "a", "z", "y"];

    public static string Number(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return GoFormat.G(v, 4);
        }

        var prefix = string.Empty;
        if (Math.Abs(v) >= 1)
        {
            foreach (var p in BigPrefixes)
            {
                if (Math.Abs(v) < 1000)
                {
                    break;
                }

                prefix = p;
                v /= 1000;
            }

            return GoFormat.G(v, 4) + prefix;
        }

        foreach (var p in SmallPrefixes)
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }

            prefix = p;
            v *= 1000;
        }

        return GoFormat.G(v, 4) + prefix;
    }

    public static string Number1024(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return GoFormat.G(v, 4);
        }

        var prefix = string.Empty;
        foreach (var p in BigPrefixes1024)
        {
            if (Math.Abs(v) < 1024)
            {
                break;
            }

            prefix = p;
            v /= 1024;
        }

        return GoFormat.G(v, 4) + prefix;
    }

    public static string Percentage(double v) => GoFormat.G(v * 100, 4) + "%";

    public static string Duration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return GoFormat.G(v, 4);
        }

        if (v == 0)
        {
            return GoFormat.G(v, 4) + "s";
        }

        if (Math.Abs(v) >= 1)
        {
            var sign = string.Empty;
            if (v < 0)
            {
                sign = "-";
                v = -v;
            }

            var duration = (long)v;
            var seconds = duration % 60;
            var minutes = duration / 60 % 60;
            var hours = duration / 60 / 60 % 24;
            var days = duration / 60 / 60 / 24;
            var inv = CultureInfo.InvariantCulture;
            if (days != 0)
            {
                return string.Create(inv, $"{sign}{days}d {hours}h {minutes}m {seconds}s");
            }

            if (hours != 0)
            {
                return string.Create(inv, $"{sign}{hours}h {minutes}m {seconds}s");
            }

            if (minutes != 0)
            {
                return string.Create(inv, $"{sign}{minutes}m {seconds}s");
            }

            return sign + GoFormat.G(v, 4) + "s";
        }

        var prefix = string.Empty;
        foreach (var p in SmallPrefixes)
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }

            prefix = p;
            v *= 1000;
        }

        return GoFormat.G(v, 4) + prefix + "s";
    }
}
