using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Opsmon.Rules.Templating;

/// <summary>What a rule template sees: Prometheus's AlertTemplateData, bound to $labels, $externalLabels, $externalURL, $value.</summary>
public sealed record TemplateData(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> ExternalLabels,
    string ExternalUrl,
    double Value);

/// <summary>A failure while executing a template, reported like Go's text/template.</summary>
public sealed class TemplateException(string message) : Exception(message);

/// <summary>
/// The subset of Go's text/template that rule labels and annotations use: text, actions with pipelines,
/// variables ($labels.x, $value, $x := ...), fields (.Labels.x), literals, function calls, if/else if/else/end.
/// range, with, define and template are recognised but not executed (their expansion reports an error).
/// </summary>
public sealed class GoTemplate
{
    // Every function Prometheus's templates know (Go's builtins plus template.go's), so that a name outside the
    // list fails the check as it does in promtool, even where Opsmon does not implement it.
    private static readonly HashSet<string> KnownFunctions = new(StringComparer.Ordinal)
    {
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery", "call",
        "eq", "ne", "lt", "le", "gt", "ge",
        "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title", "toUpper",
        "toLower", "graphLink", "tableLink", "sortByLabel", "humanize", "humanize1024", "humanizeDuration",
        "humanizePercentage", "humanizeTimestamp", "toTime", "toDuration", "pathPrefix", "externalURL", "parseDuration",
        "stripPort", "stripDomain", "urlQueryEscape", "now",
    };

    private readonly List<Node> _nodes;
    private readonly string _name;

    private GoTemplate(string name, List<Node> nodes)
    {
        _name = name;
        _nodes = nodes;
    }

    /// <summary>Parses <paramref name="text"/>; bad templates return null and an error worded like Go's ("template: name:1: ...").</summary>
    public static GoTemplate? TryParse(string name, string text, out string? error)
    {
        error = null;
        try
        {
            var parser = new TemplateParser(name, text);
            return new GoTemplate(name, parser.Parse());
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Expands like Prometheus's rule templates: an error becomes the text "&lt;error expanding template: ...&gt;".</summary>
    public static string Expand(string name, string text, TemplateData data)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return text;
        }

        var template = TryParse(name, text, out var error);
        if (template is null)
        {
            return $"<error expanding template: {error}>";
        }

        try
        {
            return template.Execute(data);
        }
        catch (TemplateException e)
        {
            return $"<error expanding template: {e.Message}>";
        }
    }

    public string Execute(TemplateData data)
    {
        var sb = new StringBuilder();
        var scope = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["$"] = data,
            ["$labels"] = data.Labels,
            ["$externalLabels"] = data.ExternalLabels,
            ["$externalURL"] = data.ExternalUrl,
            ["$value"] = data.Value,
        };
        Run(_nodes, sb, scope, data);
        return sb.ToString();
    }

    private void Run(List<Node> nodes, StringBuilder sb, Dictionary<string, object?> scope, TemplateData data)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    sb.Append(text.Text);
                    break;
                case ActionNode action:
                    var value = EvalPipeline(action.Pipeline, scope, data);
                    if (action.Declare is { } name)
                    {
                        scope[name] = value;
                    }
                    else
                    {
                        sb.Append(value is null ? "<no value>" : GoFormat.Print(value));
                    }

                    break;
                case IfNode branch:
                    Run(Truth(EvalPipeline(branch.Condition, scope, data)) ? branch.Then : branch.Else, sb, scope, data);
                    break;
                case UnsupportedNode unsupported:
                    throw Fail(unsupported.Line, $"Opsmon does not execute \"{unsupported.Keyword}\" in templates");
            }
        }
    }

    private TemplateException Fail(int line, string message) => new($"template: {_name}:{line.ToString(CultureInfo.InvariantCulture)}: {message}");

    private object? EvalPipeline(Pipeline pipeline, Dictionary<string, object?> scope, TemplateData data)
    {
        object? result = null;
        for (var i = 0; i < pipeline.Commands.Count; i++)
        {
            result = EvalCommand(pipeline.Line, pipeline.Commands[i], scope, data, i == 0 ? null : [result]);
        }

        return result;
    }

    private object? EvalCommand(int line, List<Operand> command, Dictionary<string, object?> scope, TemplateData data, object?[]? piped)
    {
        if (command[0] is IdentOperand ident)
        {
            var args = command.Skip(1).Select(a => EvalOperand(line, a, scope, data)).ToList();
            if (piped is not null)
            {
                args.AddRange(piped);
            }

            return Call(line, ident.Name, args);
        }

        if (command.Count > 1 || piped is not null)
        {
            throw Fail(line, $"can't give argument to non-function {command[0]}");
        }

        return EvalOperand(line, command[0], scope, data);
    }

    private object? EvalOperand(int line, Operand operand, Dictionary<string, object?> scope, TemplateData data)
    {
        switch (operand)
        {
            case LiteralOperand literal:
                return literal.Value;
            case ParenOperand paren:
                return EvalPipeline(paren.Pipeline, scope, data);
            case IdentOperand ident:
                return Call(line, ident.Name, []);
            case VariableOperand variable:
                if (!scope.TryGetValue(variable.Name, out var root))
                {
                    throw Fail(line, $"undefined variable \"{variable.Name}\"");
                }

                return Fields(line, root, variable.Fields);
            case FieldOperand field:
                return Fields(line, data, field.Fields);
            default:
                throw Fail(line, "unexpected operand");
        }
    }

    private object? Fields(int line, object? value, IReadOnlyList<string> fields)
    {
        foreach (var field in fields)
        {
            value = value switch
            {
                IReadOnlyDictionary<string, string> map => map.TryGetValue(field, out var v) ? v : string.Empty,
                TemplateData d => field switch
                {
                    "Labels" => d.Labels,
                    "ExternalLabels" => d.ExternalLabels,
                    "ExternalURL" => d.ExternalUrl,
                    "Value" => d.Value,
                    _ => throw Fail(line, $"can't evaluate field {field} in type *template.AlertTemplateData"),
                },
                _ => throw Fail(line, $"can't evaluate field {field} in type {GoFormat.Print(value)}"),
            };
        }

        return value;
    }

    private static bool Truth(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0,
        long l => l != 0,
        string s => s.Length > 0,
        IReadOnlyDictionary<string, string> m => m.Count > 0,
        _ => true,
    };

    private object? Call(int line, string name, List<object?> args)
    {
        switch (name)
        {
            case "humanize": return Humanize.Number(ToFloat(line, name, Arg(line, name, args, 1)));
            case "humanize1024": return Humanize.Number1024(ToFloat(line, name, Arg(line, name, args, 1)));
            case "humanizePercentage": return Humanize.Percentage(ToFloat(line, name, Arg(line, name, args, 1)));
            case "humanizeDuration": return Humanize.Duration(ToFloat(line, name, Arg(line, name, args, 1)));
            case "toUpper": return ToStr(line, name, Arg(line, name, args, 1)).ToUpperInvariant();
            case "toLower": return ToStr(line, name, Arg(line, name, args, 1)).ToLowerInvariant();
            case "title":
                return Regex.Replace(ToStr(line, name, Arg(line, name, args, 1)), @"\b\p{Ll}", m => m.Value.ToUpperInvariant(), RegexOptions.None, TimeSpan.FromSeconds(1));
            case "stripPort":
                var hostPort = ToStr(line, name, Arg(line, name, args, 1));
                var colon = hostPort.LastIndexOf(':');
                return colon < 0 || hostPort.EndsWith(']') ? hostPort.Trim('[', ']') : hostPort[..colon].Trim('[', ']');
            // Go's $1 and ${1} replacement references mean the same in .NET.
            case "reReplaceAll":
                Arg(line, name, args, 3);
                return Regex.Replace(ToStr(line, name, args[2]), ToStr(line, name, args[0]), ToStr(line, name, args[1]), RegexOptions.None, TimeSpan.FromSeconds(1));
            case "match":
                Arg(line, name, args, 2);
                return Regex.IsMatch(ToStr(line, name, args[1]), ToStr(line, name, args[0]), RegexOptions.None, TimeSpan.FromSeconds(1));
            case "printf":
                if (args.Count == 0)
                {
                    throw Fail(line, "wrong number of args for printf: want at least 1 got 0");
                }

                return GoFormat.Sprintf(ToStr(line, name, args[0]), args.Skip(1).ToList());
            case "print":
                return string.Concat(args.Select(GoFormat.Print));
            case "len":
                return Arg(line, name, args, 1) switch
                {
                    string s => (long)Encoding.UTF8.GetByteCount(s),
                    IReadOnlyDictionary<string, string> m => (long)m.Count,
                    var other => throw Fail(line, $"error calling len: len of type {GoFormat.Print(other)}"),
                };
            case "index":
                Arg(line, name, args, 2);
                return args[0] is IReadOnlyDictionary<string, string> map
                    ? (map.TryGetValue(ToStr(line, name, args[1]), out var found) ? found : string.Empty)
                    : throw Fail(line, "error calling index: can't index item");
            case "not": return !Truth(Arg(line, name, args, 1));
            case "and": return args.FirstOrDefault(a => !Truth(a), args.LastOrDefault());
            case "or": return args.FirstOrDefault(Truth, args.LastOrDefault());
            case "eq" or "ne" or "lt" or "le" or "gt" or "ge":
                Arg(line, name, args, 2);
                var c = Compare(line, name, args[0], args[1]);
                return name switch
                {
                    "eq" => c == 0,
                    "ne" => c != 0,
                    "lt" => c < 0,
                    "le" => c <= 0,
                    "gt" => c > 0,
                    _ => c >= 0,
                };
            default:
                throw KnownFunctions.Contains(name)
                    ? Fail(line, $"Opsmon does not implement the template function \"{name}\"")
                    : Fail(line, $"function \"{name}\" not defined");
        }
    }

    private object? Arg(int line, string name, List<object?> args, int want)
    {
        if (args.Count != want)
        {
            throw Fail(line, $"wrong number of args for {name}: want {want.ToString(CultureInfo.InvariantCulture)} got {args.Count.ToString(CultureInfo.InvariantCulture)}");
        }

        return args[0];
    }

    private int Compare(int line, string name, object? a, object? b) => (a, b) switch
    {
        (double x, double y) => x.CompareTo(y),
        (long x, long y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) when name is "eq" or "ne" => x == y ? 0 : 1,
        _ => throw Fail(line, $"error calling {name}: incompatible types for comparison"),
    };

    private double ToFloat(int line, string name, object? value) => value switch
    {
        double d => d,
        long l => l,
        string s when Query.Parser.TryParseNumber(s, out var parsed) => parsed,
        string s => throw Fail(line, $"error calling {name}: strconv.ParseFloat: parsing \"{s}\": invalid syntax"),
        _ => throw Fail(line, $"error calling {name}: can't convert {GoFormat.Print(value)} to float"),
    };

    private string ToStr(int line, string name, object? value) =>
        value as string ?? throw Fail(line, $"wrong type for value; expected string; got {GoFormat.Print(value)} in {name}");

    internal abstract record Node;

    internal sealed record TextNode(string Text) : Node;

    internal sealed record ActionNode(Pipeline Pipeline, string? Declare) : Node;

    internal sealed record IfNode(Pipeline Condition, List<Node> Then, List<Node> Else) : Node;

    internal sealed record UnsupportedNode(int Line, string Keyword) : Node;

    internal sealed record Pipeline(int Line, List<List<Operand>> Commands);

    internal abstract record Operand;

    internal sealed record LiteralOperand(object? Value) : Operand;

    internal sealed record VariableOperand(string Name, IReadOnlyList<string> Fields) : Operand;

    internal sealed record FieldOperand(IReadOnlyList<string> Fields) : Operand;

    internal sealed record IdentOperand(string Name) : Operand;

    internal sealed record ParenOperand(Pipeline Pipeline) : Operand;

    /// <summary>Splits the text into actions and parses each, tracking if/else/end nesting.</summary>
    private sealed class TemplateParser(string name, string text)
    {
        private readonly HashSet<string> _declared = new(StringComparer.Ordinal) { "$", "$labels", "$externalLabels", "$externalURL", "$value" };
        private int _pos;

        public List<Node> Parse()
        {
            var items = Split();
            var index = 0;
            var nodes = ParseList(items, ref index, out var end);
            if (end is not null)
            {
                throw Error(end.Value.Line, $"unexpected {{{{{end.Value.Keyword}}}}}");
            }

            return nodes;
        }

        private List<Node> ParseList(List<object> items, ref int index, out (int Line, string Keyword, string Tail)? terminator)
        {
            var nodes = new List<Node>();
            terminator = null;
            while (index < items.Count)
            {
                var item = items[index++];
                if (item is string t)
                {
                    nodes.Add(new TextNode(t));
                    continue;
                }

                var (line, action) = ((int, string))item;
                var keyword = Keyword(action, out var rest);
                switch (keyword)
                {
                    case "end" or "else":
                        terminator = (line, keyword, rest);
                        return nodes;
                    case "if":
                        nodes.Add(ParseIf(items, ref index, line, rest));
                        break;
                    case "range" or "with" or "define" or "block" or "template":
                        nodes.Add(new UnsupportedNode(line, keyword));
                        if (keyword is not "template")
                        {
                            SkipToEnd(items, ref index, line, keyword);
                        }

                        break;
                    default:
                        nodes.Add(ParseAction(line, action));
                        break;
                }
            }

            return nodes;
        }

        private IfNode ParseIf(List<object> items, ref int index, int line, string condition)
        {
            var pipeline = ParsePipeline(line, condition);
            var then = ParseList(items, ref index, out var terminator);
            if (terminator is null)
            {
                throw Error(line, "unexpected EOF");
            }

            var otherwise = new List<Node>();
            if (terminator.Value.Keyword == "else")
            {
                var rest = terminator.Value.Tail;
                if (Keyword(rest, out var elseIfCondition) == "if")
                {
                    otherwise.Add(ParseIf(items, ref index, terminator.Value.Line, elseIfCondition));
                    return new IfNode(pipeline, then, otherwise);
                }

                otherwise = ParseList(items, ref index, out var end);
                if (end is null || end.Value.Keyword != "end")
                {
                    throw Error(line, "unexpected EOF");
                }
            }

            return new IfNode(pipeline, then, otherwise);
        }

        private void SkipToEnd(List<object> items, ref int index, int line, string keyword)
        {
            var depth = 1;
            while (index < items.Count)
            {
                if (items[index++] is ValueTuple<int, string>(_, var action))
                {
                    var k = Keyword(action, out _);
                    if (k is "if" or "range" or "with" or "define" or "block")
                    {
                        depth++;
                    }
                    else if (k == "end" && --depth == 0)
                    {
                        return;
                    }
                }
            }

            throw Error(line, $"unexpected EOF in {keyword}");
        }

        private static string Keyword(string action, out string rest)
        {
            var trimmed = action.Trim();
            var space = 0;
            while (space < trimmed.Length && char.IsAsciiLetter(trimmed[space]))
            {
                space++;
            }

            var word = trimmed[..space];
            rest = trimmed[space..].Trim();
            return word is "if" or "else" or "end" or "range" or "with" or "define" or "block" or "template" ? word : string.Empty;
        }

        private ActionNode ParseAction(int line, string action)
        {
            var trimmed = action.Trim();
            if (trimmed.Length == 0)
            {
                throw Error(line, "missing value for command");
            }

            var m = Regex.Match(trimmed, @"^(\$[A-Za-z0-9_]*)\s*(:?=)\s*(.*)$", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
            if (m.Success)
            {
                var variable = m.Groups[1].Value;
                if (m.Groups[2].Value == "=" && !_declared.Contains(variable))
                {
                    throw Error(line, $"undefined variable \"{variable}\"");
                }

                var pipeline = ParsePipeline(line, m.Groups[3].Value);
                _declared.Add(variable);
                return new ActionNode(pipeline, variable);
            }

            return new ActionNode(ParsePipeline(line, trimmed), null);
        }

        private Pipeline ParsePipeline(int line, string text)
        {
            var tokens = new ActionLexer(text, line, this).Tokens();
            var position = 0;
            var pipeline = ParsePipelineTokens(line, tokens, ref position);
            if (position < tokens.Count)
            {
                throw Error(line, $"unexpected \"{tokens[position]}\" in command");
            }

            return pipeline;
        }

        private Pipeline ParsePipelineTokens(int line, List<string> tokens, ref int position)
        {
            var commands = new List<List<Operand>>();
            var current = new List<Operand>();
            while (position < tokens.Count && tokens[position] != ")")
            {
                var token = tokens[position++];
                if (token == "|")
                {
                    if (current.Count == 0)
                    {
                        throw Error(line, "missing command");
                    }

                    commands.Add(current);
                    current = [];
                    continue;
                }

                if (token == "(")
                {
                    var inner = ParsePipelineTokens(line, tokens, ref position);
                    if (position >= tokens.Count || tokens[position] != ")")
                    {
                        throw Error(line, "unclosed left paren");
                    }

                    position++;
                    current.Add(new ParenOperand(inner));
                    continue;
                }

                current.Add(Operand(line, token));
            }

            if (current.Count == 0)
            {
                throw Error(line, commands.Count == 0 ? "missing value for command" : "missing command");
            }

            commands.Add(current);
            for (var i = 1; i < commands.Count; i++)
            {
                if (commands[i][0] is not IdentOperand)
                {
                    throw Error(line, "non executable command in pipeline stage " + (i + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            return new Pipeline(line, commands);
        }

        private Operand Operand(int line, string token)
        {
            if (token[0] == '"')
            {
                return new LiteralOperand(Unquote(line, token));
            }

            if (token[0] == '`')
            {
                return new LiteralOperand(token[1..^1]);
            }

            if (token[0] == '$')
            {
                var parts = token.Split('.');
                if (!_declared.Contains(parts[0]))
                {
                    throw Error(line, $"undefined variable \"{parts[0]}\"");
                }

                return new VariableOperand(parts[0], parts[1..]);
            }

            if (token[0] == '.')
            {
                return new FieldOperand(token == "." ? [] : token[1..].Split('.'));
            }

            if (token is "true" or "false")
            {
                return new LiteralOperand(token == "true");
            }

            if (token == "nil")
            {
                return new LiteralOperand(null);
            }

            if (char.IsAsciiDigit(token[0]) || token[0] is '-' or '+')
            {
                if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return new LiteralOperand(integer);
                }

                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return new LiteralOperand(number);
                }

                throw Error(line, $"bad number syntax: \"{token}\"");
            }

            if (!KnownFunctions.Contains(token))
            {
                throw Error(line, $"function \"{token}\" not defined");
            }

            return new IdentOperand(token);
        }

        private string Unquote(int line, string token)
        {
            var sb = new StringBuilder();
            for (var i = 1; i < token.Length - 1; i++)
            {
                var c = token[i];
                if (c != '\\')
                {
                    sb.Append(c);
                    continue;
                }

                i++;
                _ = token[i] switch
                {
                    'n' => sb.Append('\n'),
                    't' => sb.Append('\t'),
                    '"' => sb.Append('"'),
                    '\\' => sb.Append('\\'),
                    _ => throw Error(line, $"invalid syntax: {token}"),
                };
            }

            return sb.ToString();
        }

        /// <summary>Text and (line, action) items; "{{-" and "-}}" trim the adjacent white space as Go does.</summary>
        private List<object> Split()
        {
            var items = new List<object>();
            var pending = new StringBuilder();
            while (_pos < text.Length)
            {
                var open = text.IndexOf("{{", _pos, StringComparison.Ordinal);
                if (open < 0)
                {
                    pending.Append(text.AsSpan(_pos));
                    break;
                }

                var literal = text[_pos..open];
                var start = open + 2;
                var trimLeft = start + 1 < text.Length && text[start] == '-' && char.IsWhiteSpace(text[start + 1]);
                if (trimLeft)
                {
                    literal = literal.TrimEnd();
                    start += 2;
                }

                pending.Append(literal);
                var close = FindClose(start, LineAt(open));
                var body = text[start..close];
                var end = close + 2;
                if (body.EndsWith(" -", StringComparison.Ordinal) || body.EndsWith("\t-", StringComparison.Ordinal) || body.EndsWith("\n-", StringComparison.Ordinal))
                {
                    body = body[..^1];
                    while (end < text.Length && char.IsWhiteSpace(text[end]))
                    {
                        end++;
                    }
                }

                _pos = end;
                var trimmedBody = body.Trim();
                if (trimmedBody.StartsWith("/*", StringComparison.Ordinal))
                {
                    if (!trimmedBody.EndsWith("*/", StringComparison.Ordinal))
                    {
                        throw Error(LineAt(open), "unclosed comment");
                    }

                    continue;
                }

                if (pending.Length > 0)
                {
                    items.Add(pending.ToString());
                    pending.Clear();
                }

                items.Add((LineAt(open), body));
            }

            if (pending.Length > 0)
            {
                items.Add(pending.ToString());
            }

            return items;
        }

        private int FindClose(int start, int line)
        {
            var quote = '\0';
            for (var i = start; i < text.Length - 1; i++)
            {
                var c = text[i];
                if (quote != '\0')
                {
                    if (c == '\\' && quote == '"')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = '\0';
                    }

                    continue;
                }

                if (c is '"' or '`')
                {
                    quote = c;
                }
                else if (c == '}' && text[i + 1] == '}')
                {
                    return i;
                }
                else if (c == '\n' && !text[start..i].TrimStart().StartsWith("/*", StringComparison.Ordinal))
                {
                    throw Error(line, "unclosed action");
                }
            }

            throw Error(line, "unclosed action");
        }

        private int LineAt(int index) => 1 + text.AsSpan(0, index).Count('\n');

        public FormatException Error(int line, string message) =>
            new($"template: {name}:{line.ToString(CultureInfo.InvariantCulture)}: {message}");
    }

    /// <summary>Tokens of one action: strings, numbers, $vars and .fields with their chains, identifiers, | ( ).</summary>
    private sealed class ActionLexer(string text, int line, TemplateParser parser)
    {
        public List<string> Tokens()
        {
            var tokens = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                var start = i;
                if (c is '|' or '(' or ')')
                {
                    tokens.Add(c.ToString());
                    i++;
                    continue;
                }

                if (c is '"' or '`')
                {
                    i++;
                    while (i < text.Length && text[i] != c)
                    {
                        i += text[i] == '\\' && c == '"' ? 2 : 1;
                    }

                    if (i >= text.Length)
                    {
                        throw parser.Error(line, "unterminated quoted string");
                    }

                    i++;
                    tokens.Add(text[start..i]);
                    continue;
                }

                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('|' or '(' or ')' or '"' or '`'))
                {
                    i++;
                }

                var token = text[start..i];
                if (!Regex.IsMatch(token, @"^(\$[A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*|\.|(\.[A-Za-z0-9_]+)+|[A-Za-z_][A-Za-z0-9_]*|[-+]?[0-9][0-9.eE+\-xX_a-fA-F]*)$", RegexOptions.None, TimeSpan.FromSeconds(1)))
                {
                    throw parser.Error(line, $"unexpected \"{token}\" in command");
                }

                tokens.Add(token);
            }

            return tokens;
        }
    }
}
