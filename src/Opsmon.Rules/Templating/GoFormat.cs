using System.Globalization;
using System.Text;

namespace Opsmon.Rules.Templating;

/// <summary>
/// Go's fmt/strconv formatting of numbers, as Prometheus's templates produce them (<c>%v</c>, <c>%.4g</c>, <c>%.2f</c>),
/// so that rendered annotations are byte-for-byte what Prometheus writes.
/// </summary>
public static class GoFormat
{
    /// <summary>What <c>{{ $value }}</c> prints: strconv.FormatFloat(v, 'g', -1, 64).</summary>
    public static string Float(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }

        // strconv 'g' with the shortest digits switches to %e when exp < -4 || exp >= 6.
        var (digits, exp) = ShortestDigits(v);
        var neg = double.IsNegative(v);
        if (exp < -4 || exp >= 6)
        {
            return FormatE(neg, digits, exp, digits.Length - 1);
        }

        var dp = exp + 1;
        return FormatF(neg, digits, dp, Math.Max(digits.Length - dp, 0));
    }

    /// <summary>strconv.FormatFloat(v, 'e', -1, 64): the shortest digits in exponent form (<c>1e+00</c>, <c>1.5e+01</c>).</summary>
    public static string EShortest(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v) || v == 0)
        {
            return v == 0 ? (double.IsNegative(v) ? "-0e+00" : "0e+00") : Float(v);
        }

        var (digits, exp) = ShortestDigits(v);
        return FormatE(double.IsNegative(v), digits, exp, digits.Length - 1);
    }

    /// <summary>Go's <c>%.{prec}g</c>.</summary>
    public static string G(double v, int prec)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        if (prec == 0)
        {
            prec = 1;
        }

        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }

        var (neg, digits, exp) = Rounded(v, prec);
        var dp = exp + 1;
        var eprec = prec;
        if (eprec > digits.Length && digits.Length >= dp)
        {
            eprec = digits.Length;
        }

        if (exp < -4 || exp >= eprec)
        {
            var p = Math.Min(prec, digits.Length);
            return FormatE(neg, digits, exp, p - 1);
        }

        var fprec = prec > dp ? digits.Length : prec;
        return FormatF(neg, digits, dp, Math.Max(fprec - dp, 0));
    }

    /// <summary>Go's <c>%.{prec}f</c>.</summary>
    public static string F(double v, int prec)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }

        // .NET's fixed-point formatting is exact since .NET Core 3.0; Go rounds the exact value half to even.
        var exact = Math.Abs(v).ToString("F" + (prec + 30).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var point = exact.IndexOf('.', StringComparison.Ordinal);
        var intPart = exact[..point];
        var frac = exact[(point + 1)..];
        var all = intPart + frac[..prec];
        var rest = frac[prec..];
        var roundUp = rest[0] > '5' || (rest[0] == '5' && (rest[1..].Any(c => c != '0') || ((all[^1] - '0') % 2 == 1)));
        var chars = all.ToCharArray();
        if (roundUp)
        {
            var i = chars.Length - 1;
            while (i >= 0 && chars[i] == '9')
            {
                chars[i] = '0';
                i--;
            }

            if (i >= 0)
            {
                chars[i]++;
            }
            else
            {
                chars = ['1', .. chars];
            }
        }

        var s = new string(chars);
        var ip = s[..(s.Length - prec)];
        var result = prec > 0 ? ip + "." + s[(s.Length - prec)..] : ip;
        return (double.IsNegative(v) ? "-" : string.Empty) + result;
    }

    /// <summary>Go's <c>%.{prec}e</c>.</summary>
    public static string E(double v, int prec)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return G(v, 1);
        }

        if (v == 0)
        {
            return (double.IsNegative(v) ? "-" : string.Empty) + "0" + (prec > 0 ? "." + new string('0', prec) : string.Empty) + "e+00";
        }

        var (neg, digits, exp) = Rounded(v, prec + 1);
        return FormatE(neg, digits, exp, prec);
    }

    /// <summary>The shortest round-trip significant digits of |v| and its decimal exponent.</summary>
    private static (string Digits, int Exp) ShortestDigits(double v)
    {
        var s = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        var e = 0;
        var ePos = s.IndexOf('E', StringComparison.Ordinal);
        if (ePos >= 0)
        {
            e = int.Parse(s[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..ePos];
        }

        var point = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = point < 0 ? s : s[..point];
        var all = point < 0 ? s : intPart + s[(point + 1)..];
        var exp = intPart.Length - 1 + e;
        var lead = 0;
        while (lead < all.Length - 1 && all[lead] == '0')
        {
            lead++;
            exp--;
        }

        var digits = all[lead..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, exp);
    }

    /// <summary>The exact value rounded half-to-even to <paramref name="prec"/> significant digits, as strconv does.</summary>
    private static (bool Neg, string Digits, int Exp) Rounded(double v, int prec)
    {
        var exact = Math.Abs(v).ToString("E" + (prec + 40).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var parts = exact.Split('E');
        var all = parts[0].Replace(".", string.Empty, StringComparison.Ordinal);
        var exp = int.Parse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var kept = all[..prec].ToCharArray();
        var rest = all[prec..];
        var roundUp = rest[0] > '5' || (rest[0] == '5' && (rest[1..].Any(c => c != '0') || ((kept[^1] - '0') % 2 == 1)));
        if (roundUp)
        {
            var i = kept.Length - 1;
            while (i >= 0 && kept[i] == '9')
            {
                kept[i] = '0';
                i--;
            }

            if (i >= 0)
            {
                kept[i]++;
            }
            else
            {
                kept = ['1', .. kept[..^1]];
                exp++;
            }
        }

        var digits = new string(kept).TrimEnd('0');
        return (double.IsNegative(v), digits.Length == 0 ? "0" : digits, exp);
    }

    private static string FormatE(bool neg, string digits, int exp, int prec)
    {
        var sb = new StringBuilder();
        if (neg)
        {
            sb.Append('-');
        }

        sb.Append(digits[0]);
        if (prec > 0)
        {
            sb.Append('.');
            for (var i = 1; i <= prec; i++)
            {
                sb.Append(i < digits.Length ? digits[i] : '0');
            }
        }

        sb.Append('e').Append(exp < 0 ? '-' : '+');
        var e = Math.Abs(exp);
        sb.Append(e < 10 ? "0" : string.Empty).Append(e.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static string FormatF(bool neg, string digits, int dp, int prec)
    {
        var sb = new StringBuilder();
        if (neg)
        {
            sb.Append('-');
        }

        if (dp > 0)
        {
            for (var i = 0; i < dp; i++)
            {
                sb.Append(i < digits.Length ? digits[i] : '0');
            }
        }
        else
        {
            sb.Append('0');
        }

        if (prec > 0)
        {
            sb.Append('.');
            for (var i = 0; i < prec; i++)
            {
                var j = dp + i;
                sb.Append(j >= 0 && j < digits.Length ? digits[j] : '0');
            }
        }

        return sb.ToString();
    }

    /// <summary>A subset of Go's fmt.Sprintf: verbs v s d f e g q t and %%, with flags +-0 space, width and precision.</summary>
    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        var argIndex = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            i++;
            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            if (format[i] == '%')
            {
                sb.Append('%');
                continue;
            }

            var plus = false;
            var minus = false;
            var zero = false;
            while (i < format.Length && format[i] is '+' or '-' or '0' or ' ' or '#')
            {
                plus |= format[i] == '+';
                minus |= format[i] == '-';
                zero |= format[i] == '0';
                i++;
            }

            var width = 0;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
            {
                width = (width * 10) + (format[i] - '0');
                i++;
            }

            int? prec = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                var p = 0;
                while (i < format.Length && char.IsAsciiDigit(format[i]))
                {
                    p = (p * 10) + (format[i] - '0');
                    i++;
                }

                prec = p;
            }

            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i];
            if (argIndex >= args.Count)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            var arg = args[argIndex++];
            var text = FormatVerb(verb, prec, plus, arg);
            if (text.Length < width)
            {
                var pad = new string(zero && !minus && verb != 's' ? '0' : ' ', width - text.Length);
                text = minus ? text + pad : (zero && text.StartsWith('-') ? "-" + pad + text[1..] : pad + text);
            }

            sb.Append(text);
        }

        if (argIndex < args.Count)
        {
            sb.Append("%!(EXTRA ");
            sb.AppendJoin(", ", args.Skip(argIndex).Select(a => TypeName(a) + "=" + Print(a)));
            sb.Append(')');
        }

        return sb.ToString();
    }

    private static string FormatVerb(char verb, int? prec, bool plus, object? arg)
    {
        var sign = plus ? "+" : string.Empty;
        switch (arg)
        {
            case double d:
                var s = verb switch
                {
                    'f' or 'F' => F(d, prec ?? 6),
                    'e' => E(d, prec ?? 6),
                    'g' or 'v' => prec is { } p ? G(d, p) : Float(d),
                    _ => $"%!{verb}(float64={Float(d)})",
                };
                return plus && !s.StartsWith('-') && !s.StartsWith('+') ? sign + s : s;
            case long l:
                return verb switch
                {
                    'd' or 'v' => (plus && l >= 0 ? "+" : string.Empty) + l.ToString(CultureInfo.InvariantCulture),
                    'f' or 'e' or 'g' => $"%!{verb}(int={l.ToString(CultureInfo.InvariantCulture)})",
                    _ => $"%!{verb}(int={l.ToString(CultureInfo.InvariantCulture)})",
                };
            case string str:
                return verb switch
                {
                    's' or 'v' => prec is { } sp && sp < str.Length ? str[..sp] : str,
                    'q' => Quote(str),
                    _ => $"%!{verb}(string={str})",
                };
            default:
                return verb is 'v' or 's' ? Print(arg) : $"%!{verb}({TypeName(arg)}={Print(arg)})";
        }
    }

    /// <summary>Go's default formatting of a template value (fmt.Print).</summary>
    public static string Print(object? value) => value switch
    {
        null => "<nil>",
        double d => Float(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => s,
        IReadOnlyDictionary<string, string> map => "map[" + string.Join(" ", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + kv.Value)) + "]",
        IReadOnlyList<object?> list => "[" + string.Join(" ", list.Select(Print)) + "]",
        // Go prints a struct as its fields in order, space-separated, in braces.
        TemplateData d => "{" + Print(d.Labels) + " " + Print(d.ExternalLabels) + " " + d.ExternalUrl + " " + Print(d.Value) + "}",
        _ => value.ToString() ?? string.Empty,
    };

    internal static string TypeName(object? value) => value switch
    {
        double => "float64",
        long => "int",
        string => "string",
        bool => "bool",
        null => "<nil>",
        IReadOnlyList<object?> => "[]interface {}",
        TemplateData => "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }",
        _ => "map[string]string",
    };

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append(@"\\"),
                '\n' => sb.Append(@"\n"),
                '\t' => sb.Append(@"\t"),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }
}
