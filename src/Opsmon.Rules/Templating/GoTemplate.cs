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
/// variables ($labels.x, $value, $x := ..., $x = ..., $ for the root), dot and fields (.Labels.x), literals, function
/// calls, if/else if/else, with/else, range/else with break and continue, define, template and block.
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

    // Go allows 100000 nested template calls; a recursive {{template}} stops far earlier here, before the stack does.
    private const int MaxTemplateDepth = 1000;

    private readonly List<Node> _nodes;
    private readonly Dictionary<string, List<Node>> _templates;
    private readonly string _name;

    private GoTemplate(string name, List<Node> nodes, Dictionary<string, List<Node>> templates)
    {
        _name = name;
        _nodes = nodes;
        _templates = templates;
    }

    /// <summary>What a <c>{{break}}</c> or <c>{{continue}}</c> asks of the enclosing range.</summary>
    private enum Flow
    {
        Next,
        Break,
        Continue,
    }

    /// <summary>Parses <paramref name="text"/>; bad templates return null and an error worded like Go's ("template: name:1: ...").</summary>
    public static GoTemplate? TryParse(string name, string text, out string? error)
    {
        error = null;
        try
        {
            var parser = new TemplateParser(name, text);
            var nodes = parser.Parse();
            return new GoTemplate(name, nodes, parser.Templates);
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

    /// <summary>
    /// Runs the template with <paramref name="data"/> as dot and <c>$</c>, and Prometheus's four variables declared first
    /// (rules/alerting.go prepends <c>{{$labels := .Labels}}</c> and the others to every template).
    /// </summary>
    public string Execute(TemplateData data)
    {
        var state = new ExecState(new StringBuilder(), 0);
        state.Vars.Add(("$", data));
        state.Vars.Add(("$labels", data.Labels));
        state.Vars.Add(("$externalLabels", data.ExternalLabels));
        state.Vars.Add(("$externalURL", data.ExternalUrl));
        state.Vars.Add(("$value", data.Value));
        Walk(_nodes, data, state);
        return state.Output.ToString();
    }

    /// <summary>The variable stack (innermost last, as Go's state.vars) and the output of one execution.</summary>
    private sealed class ExecState(StringBuilder output, int depth)
    {
        public List<(string Name, object? Value)> Vars { get; } = [];

        public StringBuilder Output { get; } = output;

        public int Depth { get; } = depth;

        public void PopTo(int mark) => Vars.RemoveRange(mark, Vars.Count - mark);

        public bool TryGet(string name, out object? value)
        {
            for (var i = Vars.Count - 1; i >= 0; i--)
            {
                if (Vars[i].Name == name)
                {
                    value = Vars[i].Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        public bool TrySet(string name, object? value)
        {
            for (var i = Vars.Count - 1; i >= 0; i--)
            {
                if (Vars[i].Name == name)
                {
                    Vars[i] = (name, value);
                    return true;
                }
            }

            return false;
        }
    }

    private Flow Walk(List<Node> nodes, object? dot, ExecState state)
    {
        foreach (var node in nodes)
        {
            var flow = node switch
            {
                TextNode text => Append(state, text.Text),
                ActionNode action => Action(action, dot, state),
                IfNode branch => Control(branch.Condition, branch.Then, branch.Else, dot, state, setsDot: false),
                WithNode with => Control(with.Pipeline, with.Then, with.Else, dot, state, setsDot: true),
                RangeNode range => Range(range, dot, state),
                TemplateNode call => Call(call, dot, state),
                BreakNode => Flow.Break,
                ContinueNode => Flow.Continue,
                _ => Flow.Next,
            };
            if (flow != Flow.Next)
            {
                return flow;
            }
        }

        return Flow.Next;
    }

    private static Flow Append(ExecState state, string text)
    {
        state.Output.Append(text);
        return Flow.Next;
    }

    private Flow Action(ActionNode action, object? dot, ExecState state)
    {
        var value = EvalPipeline(action.Pipeline, dot, state);
        if (action.Pipeline.Declare.Count == 0)
        {
            state.Output.Append(value is null ? "<no value>" : GoFormat.Print(value));
        }

        return Flow.Next;
    }

    // if and with: variables declared in the pipeline or the branches end with the control's {{end}}.
    private Flow Control(Pipeline pipeline, List<Node> then, List<Node> otherwise, object? dot, ExecState state, bool setsDot)
    {
        var mark = state.Vars.Count;
        try
        {
            var value = EvalPipeline(pipeline, dot, state);
            return Truth(value) ? Walk(then, setsDot ? value : dot, state) : Walk(otherwise, dot, state);
        }
        finally
        {
            state.PopTo(mark);
        }
    }

    // Go's walkRange: maps in key order, lists in index order; with one variable it takes the element, with two the
    // key (or index) and the element; nil ranges over nothing; anything else is an error.
    private Flow Range(RangeNode range, object? dot, ExecState state)
    {
        var mark = state.Vars.Count;
        try
        {
            var value = EvalPipeline(range.Pipeline, dot, state);
            var items = value switch
            {
                null => [],
                IReadOnlyDictionary<string, string> map => map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => ((object?)kv.Key, (object?)kv.Value)).ToList(),
                IReadOnlyList<object?> list => list.Select((e, i) => ((object?)(long)i, e)).ToList(),
                _ => throw Fail(range.Pipeline.Line, $"range can't iterate over {GoFormat.Print(value)}"),
            };
            if (items.Count == 0)
            {
                return Walk(range.Else, dot, state);
            }

            var declared = range.Pipeline.Declare;
            var body = state.Vars.Count;
            foreach (var (key, element) in items)
            {
                if (declared.Count > 0)
                {
                    SetRangeVariables(range.Pipeline, state, key, element);
                }

                var flow = Walk(range.Body, element, state);
                state.PopTo(body);
                if (flow == Flow.Break)
                {
                    break;
                }
            }

            return Flow.Next;
        }
        finally
        {
            state.PopTo(mark);
        }
    }

    private void SetRangeVariables(Pipeline pipeline, ExecState state, object? key, object? element)
    {
        var declared = pipeline.Declare;
        if (pipeline.IsAssign)
        {
            Assign(pipeline.Line, state, declared[0], declared.Count > 1 ? key : element);
            if (declared.Count > 1)
            {
                Assign(pipeline.Line, state, declared[1], element);
            }

            return;
        }

        // The pipeline pushed its variables last: the element is on top, the key (with two) below it.
        state.Vars[^1] = (state.Vars[^1].Name, element);
        if (declared.Count > 1)
        {
            state.Vars[^2] = (state.Vars[^2].Name, key);
        }
    }

    // {{template "name" pipeline}}: the named template runs with the pipeline's value as dot and as $, and sees none
    // of the caller's variables.
    private Flow Call(TemplateNode call, object? dot, ExecState state)
    {
        if (!_templates.TryGetValue(call.Name, out var body))
        {
            throw Fail(call.Line, $"template \"{call.Name}\" not defined");
        }

        if (state.Depth >= MaxTemplateDepth)
        {
            throw Fail(call.Line, $"exceeded maximum template depth ({MaxTemplateDepth.ToString(CultureInfo.InvariantCulture)})");
        }

        var value = call.Pipeline is null ? null : EvalPipeline(call.Pipeline, dot, state);
        var inner = new ExecState(state.Output, state.Depth + 1);
        inner.Vars.Add(("$", value));
        Walk(body, value, inner);
        return Flow.Next;
    }

    private void Assign(int line, ExecState state, string name, object? value)
    {
        if (!state.TrySet(name, value))
        {
            throw Fail(line, $"undefined variable: {name}");
        }
    }

    private TemplateException Fail(int line, string message) => new($"template: {_name}:{line.ToString(CultureInfo.InvariantCulture)}: {message}");

    // Go's evalPipeline: the commands run left to right, each later one gets the previous result as its last argument;
    // then the declared variables are pushed (:=) or set (=).
    private object? EvalPipeline(Pipeline pipeline, object? dot, ExecState state)
    {
        object? result = null;
        for (var i = 0; i < pipeline.Commands.Count; i++)
        {
            result = EvalCommand(pipeline.Line, pipeline.Commands[i], dot, state, i == 0 ? null : [result]);
        }

        foreach (var name in pipeline.Declare)
        {
            if (pipeline.IsAssign)
            {
                Assign(pipeline.Line, state, name, result);
            }
            else
            {
                state.Vars.Add((name, result));
            }
        }

        return result;
    }

    private object? EvalCommand(int line, List<Operand> command, object? dot, ExecState state, object?[]? piped)
    {
        if (command[0] is IdentOperand ident)
        {
            var args = command.Skip(1).Select(a => EvalOperand(line, a, dot, state)).ToList();
            if (piped is not null)
            {
                args.AddRange(piped);
            }

            return CallFunction(line, ident.Name, args);
        }

        if (command.Count > 1 || piped is not null)
        {
            throw Fail(line, $"can't give argument to non-function {command[0]}");
        }

        return EvalOperand(line, command[0], dot, state);
    }

    private object? EvalOperand(int line, Operand operand, object? dot, ExecState state)
    {
        switch (operand)
        {
            case LiteralOperand literal:
                return literal.Value;
            case ParenOperand paren:
                return EvalPipeline(paren.Pipeline, dot, state);
            case IdentOperand ident:
                return CallFunction(line, ident.Name, []);
            case VariableOperand variable:
                if (!state.TryGet(variable.Name, out var root))
                {
                    throw Fail(line, $"undefined variable: {variable.Name}");
                }

                return Fields(line, root, variable.Fields);
            case FieldOperand field:
                return Fields(line, dot, field.Fields);
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
                // Prometheus executes with missingkey=zero: an absent label is the empty string.
                IReadOnlyDictionary<string, string> map => map.TryGetValue(field, out var v) ? v : string.Empty,
                TemplateData d => field switch
                {
                    "Labels" => d.Labels,
                    "ExternalLabels" => d.ExternalLabels,
                    "ExternalURL" => d.ExternalUrl,
                    "Value" => d.Value,
                    _ => throw Fail(line, $"can't evaluate field {field} in type struct {{ Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {{}} }}"),
                },
                null => throw Fail(line, $"nil pointer evaluating interface {{}}.{field}"),
                _ => throw Fail(line, $"can't evaluate field {field} in type {GoFormat.TypeName(value)}"),
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
        IReadOnlyList<object?> list => list.Count > 0,
        _ => true,
    };

    private object? CallFunction(int line, string name, List<object?> args)
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
                    IReadOnlyList<object?> list => (long)list.Count,
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

    internal sealed record ActionNode(Pipeline Pipeline) : Node;

    internal sealed record IfNode(Pipeline Condition, List<Node> Then, List<Node> Else) : Node;

    internal sealed record WithNode(Pipeline Pipeline, List<Node> Then, List<Node> Else) : Node;

    internal sealed record RangeNode(Pipeline Pipeline, List<Node> Body, List<Node> Else) : Node;

    internal sealed record TemplateNode(int Line, string Name, Pipeline? Pipeline) : Node;

    internal sealed record BreakNode : Node;

    internal sealed record ContinueNode : Node;

    /// <summary>A pipeline and the variables it declares (<c>$x :=</c>) or assigns (<c>$x =</c>); two only in range.</summary>
    internal sealed record Pipeline(int Line, List<List<Operand>> Commands, IReadOnlyList<string> Declare, bool IsAssign);

    internal abstract record Operand;

    internal sealed record LiteralOperand(object? Value) : Operand;

    internal sealed record VariableOperand(string Name, IReadOnlyList<string> Fields) : Operand;

    internal sealed record FieldOperand(IReadOnlyList<string> Fields) : Operand;

    internal sealed record IdentOperand(string Name) : Operand;

    internal sealed record ParenOperand(Pipeline Pipeline) : Operand;

    /// <summary>
    /// Splits the text into actions and parses them as Go's text/template/parse does: control structures nest up to
    /// their {{end}}, variables are in scope from their declaration to the {{end}} of the enclosing control (or the end
    /// of the template), {{define}} only at the top level with a scope of its own, {{break}}/{{continue}} only in a range.
    /// </summary>
    private sealed class TemplateParser(string name, string text)
    {
        private static readonly string[] Keywords = ["if", "else", "end", "range", "with", "define", "block", "template", "break", "continue"];

        private List<string> _vars = ["$", "$labels", "$externalLabels", "$externalURL", "$value"];
        private int _rangeDepth;
        private int _pos;

        /// <summary>The templates named by {{define}} and {{block}}.</summary>
        public Dictionary<string, List<Node>> Templates { get; } = new(StringComparer.Ordinal);

        public List<Node> Parse()
        {
            var items = Split();
            var index = 0;
            var nodes = ParseList(items, ref index, out var end, topLevel: true);
            if (end is not null)
            {
                throw Error(end.Value.Line, $"unexpected {{{{{end.Value.Keyword}}}}}");
            }

            return nodes;
        }

        private List<Node> ParseList(List<object> items, ref int index, out (int Line, string Keyword, string Tail)? terminator, bool topLevel = false)
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
                        if (keyword == "end" && rest.Length > 0)
                        {
                            throw Error(line, $"unexpected \"{rest}\" in end");
                        }

                        terminator = (line, keyword, rest);
                        return nodes;
                    case "if" or "with" or "range":
                        nodes.Add(ParseControl(items, ref index, line, keyword, rest));
                        break;
                    case "define" when topLevel:
                        ParseDefine(items, ref index, line, rest);
                        break;
                    case "define":
                        throw Error(line, "unexpected <define> in command");
                    case "block":
                        nodes.Add(ParseBlock(items, ref index, line, rest));
                        break;
                    case "template":
                        nodes.Add(ParseTemplate(line, rest));
                        break;
                    case "break" or "continue":
                        if (_rangeDepth == 0)
                        {
                            throw Error(line, $"{{{{{keyword}}}}} outside {{{{range}}}}");
                        }

                        if (rest.Length > 0)
                        {
                            throw Error(line, $"unexpected \"{rest}\" in {{{{{keyword}}}}}");
                        }

                        nodes.Add(keyword == "break" ? new BreakNode() : new ContinueNode());
                        break;
                    default:
                        var trimmed = action.Trim();
                        if (trimmed.Length == 0)
                        {
                            throw Error(line, "missing value for command");
                        }

                        nodes.Add(new ActionNode(ParsePipeline(line, trimmed, "command")));
                        break;
                }
            }

            return nodes;
        }

        // Go's parseControl: the variables of the pipeline and of both branches go out of scope at {{end}}; only if
        // takes "else if"; break/continue belong to a range's body, not to its else.
        private Node ParseControl(List<object> items, ref int index, int line, string keyword, string text)
        {
            var mark = _vars.Count;
            var pipeline = ParsePipeline(line, text, keyword);
            if (keyword == "range")
            {
                _rangeDepth++;
            }

            var then = ParseList(items, ref index, out var terminator);
            if (keyword == "range")
            {
                _rangeDepth--;
            }

            if (terminator is null)
            {
                throw Error(line, "unexpected EOF");
            }

            var otherwise = new List<Node>();
            if (terminator.Value.Keyword == "else")
            {
                var tail = terminator.Value.Tail;
                var next = Keyword(tail, out var elseIfCondition);
                if (keyword == "if" && next == "if")
                {
                    // {{else if c}} is {{else}}{{if c}} sharing the final {{end}}.
                    otherwise.Add(ParseControl(items, ref index, terminator.Value.Line, "if", elseIfCondition));
                    _vars.RemoveRange(mark, _vars.Count - mark);
                    return new IfNode(pipeline, then, otherwise);
                }

                if (tail.Length > 0)
                {
                    throw Error(terminator.Value.Line, next == "if" ? "unexpected <if> in input" : $"unexpected <{tail.Split(' ')[0]}> in else");
                }

                otherwise = ParseList(items, ref index, out var end);
                if (end is null)
                {
                    throw Error(line, "unexpected EOF");
                }

                if (end.Value.Keyword != "end")
                {
                    throw Error(end.Value.Line, "expected end; found {{else}}");
                }
            }

            _vars.RemoveRange(mark, _vars.Count - mark);
            return keyword switch
            {
                "if" => new IfNode(pipeline, then, otherwise),
                "with" => new WithNode(pipeline, then, otherwise),
                _ => new RangeNode(pipeline, then, otherwise),
            };
        }

        // {{define "name"}}: a template of its own, where only $ is declared.
        private void ParseDefine(List<object> items, ref int index, int line, string text)
        {
            var templateName = TemplateName(line, text, "define", out var rest);
            if (rest.Length > 0)
            {
                throw Error(line, $"unexpected \"{rest.Split(' ')[0]}\" in define clause");
            }

            AddTemplate(line, templateName, ParseBody(items, ref index, line));
        }

        // {{block "name" pipeline}}...{{end}} defines "name" and calls it at once.
        private TemplateNode ParseBlock(List<object> items, ref int index, int line, string text)
        {
            var templateName = TemplateName(line, text, "block", out var rest);
            if (rest.Length == 0)
            {
                throw Error(line, "missing value for block clause");
            }

            var pipeline = ParsePipeline(line, rest, "block");
            AddTemplate(line, templateName, ParseBody(items, ref index, line));
            return new TemplateNode(line, templateName, pipeline);
        }

        private TemplateNode ParseTemplate(int line, string text)
        {
            var templateName = TemplateName(line, text, "template", out var rest);
            return new TemplateNode(line, templateName, rest.Length == 0 ? null : ParsePipeline(line, rest, "template"));
        }

        private List<Node> ParseBody(List<object> items, ref int index, int line)
        {
            var (vars, rangeDepth) = (_vars, _rangeDepth);
            (_vars, _rangeDepth) = (["$"], 0);
            var body = ParseList(items, ref index, out var end);
            (_vars, _rangeDepth) = (vars, rangeDepth);
            if (end is null)
            {
                throw Error(line, "unexpected EOF");
            }

            if (end.Value.Keyword != "end")
            {
                throw Error(end.Value.Line, "unexpected {{else}}");
            }

            return body;
        }

        // Go keeps the first non-empty definition and refuses a second one (parse.Tree.add).
        private void AddTemplate(int line, string templateName, List<Node> body)
        {
            static bool IsEmpty(List<Node> nodes) => nodes.All(n => n is TextNode t && string.IsNullOrWhiteSpace(t.Text));

            if (Templates.TryGetValue(templateName, out var existing) && !IsEmpty(existing))
            {
                if (!IsEmpty(body))
                {
                    throw Error(line, $"template: multiple definition of template \"{templateName}\"");
                }

                return;
            }

            Templates[templateName] = body;
        }

        private string TemplateName(int line, string text, string context, out string rest)
        {
            var tokens = text.Length == 0 ? [] : new ActionLexer(text, line, this).Tokens();
            if (tokens.Count == 0 || tokens[0][0] is not ('"' or '`'))
            {
                throw Error(line, tokens.Count == 0 ? $"unexpected \"}}}}\" in {context} clause" : $"unexpected \"{tokens[0]}\" in {context} clause");
            }

            var quoted = tokens[0];
            rest = text.Trim()[quoted.Length..].Trim();
            return quoted[0] == '`' ? quoted[1..^1] : Unquote(line, quoted);
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
            return Keywords.Contains(word) ? word : string.Empty;
        }

        // Declarations come first: "$x :=", "$x =", or in a range "$k, $v :=". Go adds the names to the scope before
        // parsing the commands, and does not require an assigned variable to exist until execution.
        private Pipeline ParsePipeline(int line, string text, string context)
        {
            var declare = new List<string>();
            var isAssign = false;
            var m = Regex.Match(text.Trim(), @"^(\$[A-Za-z0-9_]*)\s*(?:,\s*(\$[A-Za-z0-9_]*)\s*)?(:=|=)(?!=)\s*(.*)$", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
            if (m.Success)
            {
                declare.Add(m.Groups[1].Value);
                if (m.Groups[2].Success)
                {
                    if (context != "range")
                    {
                        throw Error(line, $"too many declarations in {context}");
                    }

                    declare.Add(m.Groups[2].Value);
                }

                isAssign = m.Groups[3].Value == "=";
                _vars.AddRange(declare);
                text = m.Groups[4].Value;
            }

            var tokens = new ActionLexer(text, line, this).Tokens();
            if (tokens.Count == 0)
            {
                throw Error(line, $"missing value for {context}");
            }

            var position = 0;
            var pipeline = ParsePipelineTokens(line, tokens, ref position);
            if (position < tokens.Count)
            {
                throw Error(line, $"unexpected \"{tokens[position]}\" in command");
            }

            return pipeline with { Declare = declare, IsAssign = isAssign };
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

            return new Pipeline(line, commands, [], false);
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
                if (!_vars.Contains(parts[0]))
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
