using System.Globalization;
using System.Text.RegularExpressions;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.PromqlTest;

internal abstract record TestCommand(int Line);

internal sealed record LoadCommand(int Line, long IntervalMs, List<(Labels Labels, List<double?> Values)> Series) : TestCommand(Line);

internal sealed record ClearCommand(int Line) : TestCommand(Line);

/// <summary>One expected series: its labels and its values (null where a step has none, <c>_</c>).</summary>
internal sealed record ExpectedSeries(int Line, Labels Labels, List<double?> Values);

internal sealed record EvalCommand(int Line, string Expr, bool IsRange, long StartMs, long EndMs, long StepMs) : TestCommand(Line)
{
    public bool ExpectFail { get; init; }

    public bool Ordered { get; init; }

    public string? FailMessage { get; set; }

    public string? FailRegexp { get; set; }

    public double? ExpectedScalar { get; set; }

    public List<ExpectedSeries> Expected { get; } = [];
}

/// <summary>A script parse problem, reported as a failure at its line.</summary>
internal sealed record ScriptError(int Line, string Message);

/// <summary>Parses Prometheus's promqltest format: load / clear / eval instant / eval range, and their expected results.</summary>
internal static partial class TestScript
{
    [GeneratedRegex(@"^load\s+(\S+)$")]
    private static partial Regex LoadPattern();

    [GeneratedRegex(@"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(\S+))?\s+(.+)$")]
    private static partial Regex EvalInstantPattern();

    [GeneratedRegex(@"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)\s+(.+)$")]
    private static partial Regex EvalRangePattern();

    public static (List<TestCommand> Commands, List<ScriptError> Errors) Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var commands = new List<TestCommand>();
        var errors = new List<ScriptError>();
        var i = 0;
        while (i < lines.Length)
        {
            var lineNumber = i + 1;
            var line = lines[i].Trim();
            i++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            // The body of a command runs until the next blank line, as in Prometheus's test files.
            var body = new List<(int Line, string Text)>();
            while (i < lines.Length && lines[i].Trim().Length > 0 && !IsCommand(lines[i]))
            {
                var bodyLine = lines[i].Trim();
                if (!bodyLine.StartsWith('#'))
                {
                    body.Add((i + 1, bodyLine));
                }

                i++;
            }

            try
            {
                commands.Add(ParseCommand(lineNumber, line, body));
            }
            catch (FormatException e)
            {
                errors.Add(new ScriptError(e.Data["line"] as int? ?? lineNumber, e.Message));
            }
        }

        return (commands, errors);
    }

    /// <summary>An unindented command line also ends the previous command's body, so a missing blank line is forgiven.</summary>
    private static bool IsCommand(string line) =>
        line.Length > 0 && !char.IsWhiteSpace(line[0]) && CommandPattern().IsMatch(line);

    [GeneratedRegex(@"^(load|clear|eval(_[a-z]+)?)(\s|$)")]
    private static partial Regex CommandPattern();

    private static TestCommand ParseCommand(int lineNumber, string line, List<(int Line, string Text)> body)
    {
        if (line == "clear")
        {
            return new ClearCommand(lineNumber);
        }

        var load = LoadPattern().Match(line);
        if (load.Success)
        {
            var interval = ParseDuration(load.Groups[1].Value, lineNumber);
            var series = new List<(Labels, List<double?>)>();
            foreach (var (n, text) in body)
            {
                var (labels, values) = ParseSeriesLine(text, n);
                series.Add((labels, values));
            }

            return new LoadCommand(lineNumber, interval, series);
        }

        var range = EvalRangePattern().Match(line);
        EvalCommand eval;
        if (range.Success)
        {
            eval = new EvalCommand(lineNumber, range.Groups[5].Value, true,
                ParseTime(range.Groups[2].Value, lineNumber), ParseTime(range.Groups[3].Value, lineNumber), ParseDuration(range.Groups[4].Value, lineNumber))
            {
                ExpectFail = range.Groups[1].Value == "fail",
            };
        }
        else
        {
            var instant = EvalInstantPattern().Match(line);
            if (!instant.Success)
            {
                throw Error(lineNumber, $"invalid command \"{line}\"");
            }

            var at = instant.Groups[2].Success ? ParseTime(instant.Groups[2].Value, lineNumber) : 0;
            eval = new EvalCommand(lineNumber, instant.Groups[3].Value, false, at, at, 0)
            {
                ExpectFail = instant.Groups[1].Value == "fail",
                Ordered = instant.Groups[1].Value == "ordered",
            };
        }

        foreach (var (n, text) in body)
        {
            if (text.StartsWith("expected_fail_message ", StringComparison.Ordinal))
            {
                eval.FailMessage = text["expected_fail_message ".Length..].Trim();
                continue;
            }

            if (text.StartsWith("expected_fail_regexp ", StringComparison.Ordinal))
            {
                eval.FailRegexp = text["expected_fail_regexp ".Length..].Trim();
                continue;
            }

            if (!eval.IsRange && Parser.TryParseNumber(text, out var scalar))
            {
                eval.ExpectedScalar = scalar;
                continue;
            }

            var (labels, values) = ParseSeriesLine(text, n);
            eval.Expected.Add(new ExpectedSeries(n, labels, values));
        }

        return eval;
    }

    private static FormatException Error(int line, string message)
    {
        var e = new FormatException(message);
        e.Data["line"] = line;
        return e;
    }

    private static long ParseDuration(string text, int line) =>
        Parser.TryParseDuration(text, out var ms) ? ms : throw Error(line, $"invalid duration \"{text}\"");

    /// <summary>A time in a script: a duration since the epoch (<c>10m</c>) or a number of seconds.</summary>
    private static long ParseTime(string text, int line)
    {
        if (Parser.TryParseDuration(text, out var ms))
        {
            return ms;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? (long)Math.Round(seconds * 1000)
            : throw Error(line, $"invalid time \"{text}\"");
    }

    /// <summary>Parses <c>metric{l="v"} 1+2x3 _ stale</c> into labels and expanded values.</summary>
    internal static (Labels Labels, List<double?> Values) ParseSeriesLine(string text, int line)
    {
        var end = 0;
        var inQuote = false;
        var sawBrace = false;
        for (; end < text.Length; end++)
        {
            var c = text[end];
            if (inQuote)
            {
                if (c == '\\')
                {
                    end++;
                }
                else if (c == '"')
                {
                    inQuote = false;
                }

                continue;
            }

            if (c == '"')
            {
                inQuote = true;
            }
            else if (c == '{')
            {
                sawBrace = true;
            }
            else if (c == '}' && sawBrace)
            {
                end++;
                break;
            }
            else if (char.IsWhiteSpace(c) && !sawBrace)
            {
                break;
            }
        }

        var labels = ParseLabels(text[..end].Trim(), line);
        var values = new List<double?>();
        foreach (var token in text[end..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            ExpandValue(token, values, line);
        }

        return (labels, values);
    }

    private static Labels ParseLabels(string text, int line)
    {
        if (text is "{}" or "")
        {
            return Labels.Empty;
        }

        var parsed = Parser.Parse(text);
        if (parsed.Expr is not VectorSelector selector)
        {
            throw Error(line, $"invalid series \"{text}\": {parsed.Error}");
        }

        var labels = new List<Label>();
        foreach (var m in selector.Matchers)
        {
            if (m.Type != MatcherType.Equal)
            {
                throw Error(line, $"invalid series \"{text}\": only = matchers describe a series");
            }

            labels.Add(new Label(m.Name, m.Value));
        }

        return Labels.From(labels);
    }

    /// <summary>Expanding notation: <c>a+bxn</c> and <c>a-bxn</c> give n+1 values, <c>axn</c> n+1 copies, <c>_xn</c> n gaps.</summary>
    private static void ExpandValue(string token, List<double?> values, int line)
    {
        if (token == "_")
        {
            values.Add(null);
            return;
        }

        if (token == "stale")
        {
            values.Add(StaleNaN.Value);
            return;
        }

        var x = token.LastIndexOf('x');
        if (x <= 0 || !int.TryParse(token.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var times))
        {
            values.Add(ParseValue(token, line));
            return;
        }

        var head = token[..x];
        if (head == "_")
        {
            for (var i = 0; i < times; i++)
            {
                values.Add(null);
            }

            return;
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

        var start = ParseValue(split < 0 ? head : head[..split], line);
        var step = split < 0 ? 0 : ParseValue(head[split..], line);
        // Repeated addition, as Prometheus expands it, so the values carry the same rounding.
        for (var i = 0; i <= times; i++)
        {
            values.Add(start);
            start += step;
        }
    }

    private static double ParseValue(string text, int line) =>
        Parser.TryParseNumber(text, out var v) ? v : throw Error(line, $"invalid value \"{text}\"");
}
