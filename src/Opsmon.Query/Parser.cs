using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;
using Opsmon.Query.Functions;

namespace Opsmon.Query;

/// <summary>The outcome of parsing: an expression, or an error formatted as Prometheus's ("1:12: parse error: ...").</summary>
public sealed record ParseResult(Expr? Expr, string? Error)
{
    public bool IsSuccess => Expr is not null;
}

/// <summary>
/// Recursive-descent PromQL parser with Prometheus's precedence (or &lt; and/unless &lt; comparisons &lt; +,- &lt; *,/,%,atan2 &lt; ^),
/// ^ right-associative, unary minus binding like *, and the type checks of Prometheus's checkAST.
/// </summary>
public sealed class Parser
{
    private const int UnaryPrecedence = 6;

    private readonly string _input;
    private List<Token> _tokens = [];
    private int _index;

    private Parser(string input) => _input = input;

    public static ParseResult Parse(string input)
    {
        var parser = new Parser(input);
        try
        {
            return new ParseResult(parser.ParseAll(), null);
        }
        catch (ParseError e)
        {
            return new ParseResult(null, parser.Format(e.Pos, e.Message));
        }
    }

    /// <summary>Parses a duration such as <c>1h30m</c> or <c>500ms</c> into milliseconds.</summary>
    public static bool TryParseDuration(string text, out long ms)
    {
        ms = 0;
        var i = 0;
        var lastUnit = long.MaxValue;
        if (text.Length == 0)
        {
            return false;
        }

        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i >= text.Length)
            {
                return false;
            }

            long unit;
            if (text[i] == 'm' && i + 1 < text.Length && text[i + 1] == 's')
            {
                unit = 1;
                i += 2;
            }
            else
            {
                unit = text[i] switch
                {
                    'y' => 365L * 24 * 3600 * 1000,
                    'w' => 7L * 24 * 3600 * 1000,
                    'd' => 24L * 3600 * 1000,
                    'h' => 3600L * 1000,
                    'm' => 60L * 1000,
                    's' => 1000,
                    _ => 0,
                };
                if (unit == 0)
                {
                    return false;
                }

                i++;
            }

            // Units must go from largest to smallest, each at most once (as Prometheus's model.ParseDuration).
            if (unit >= lastUnit)
            {
                return false;
            }

            lastUnit = unit;
            if (!long.TryParse(text.AsSpan(start, i - start - (unit == 1 ? 2 : 1)), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            ms += n * unit;
        }

        return true;
    }

    /// <summary>Parses a PromQL number literal: decimal, exponent, hex, octal, Inf, NaN.</summary>
    public static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        var span = text.AsSpan();
        var negative = false;
        if (span.Length > 0 && span[0] is '+' or '-')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span.Equals("inf", StringComparison.OrdinalIgnoreCase) || span.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (span.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        if (span.Length > 2 && span[0] == '0' && span[1] is 'x' or 'X')
        {
            if (!long.TryParse(span[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return false;
            }

            value = negative ? -hex : hex;
            return true;
        }

        // Go's strconv.ParseInt(s, 0, 64) reads a leading 0 as octal, and Prometheus tries it first.
        if (span.Length > 1 && span[0] == '0' && AllOctal(span))
        {
            long octal = 0;
            foreach (var c in span)
            {
                octal = (octal * 8) + (c - '0');
            }

            value = negative ? -octal : octal;
            return true;
        }

        if (!double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        value = negative ? -value : value;
        return true;
    }

    private static bool AllOctal(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is < '0' or > '7')
            {
                return false;
            }
        }

        return true;
    }

    internal string Format(int pos, string message)
    {
        var line = 1;
        var col = 1;
        for (var i = 0; i < pos && i < _input.Length; i++)
        {
            if (_input[i] == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }

        return $"{line}:{col}: parse error: {message}";
    }

    private Expr ParseAll()
    {
        _tokens = new Lexer(_input).Tokenize();
        var last = _tokens[^1];
        if (last.Kind == TokenKind.Error && _tokens.Count == 1)
        {
            throw new ParseError(last.Pos, last.Text);
        }

        if (Peek.Kind == TokenKind.Eof)
        {
            throw new ParseError(0, "no expression found in input");
        }

        var expr = ParseExpr(1);
        if (Peek.Kind != TokenKind.Eof)
        {
            throw Unexpected(Peek);
        }

        return expr;
    }

    private Token Peek => _tokens[_index];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private Token Advance()
    {
        var token = _tokens[_index];
        if (token.Kind == TokenKind.Error)
        {
            throw new ParseError(token.Pos, token.Text);
        }

        if (_index < _tokens.Count - 1)
        {
            _index++;
        }

        return token;
    }

    private Token Expect(TokenKind kind, string context)
    {
        var token = Peek;
        if (token.Kind != kind)
        {
            throw Unexpected(token, context);
        }

        return Advance();
    }

    private static ParseError Unexpected(Token token, string? context = null)
    {
        if (token.Kind == TokenKind.Error)
        {
            return new ParseError(token.Pos, token.Text);
        }

        var message = token.Kind == TokenKind.RightParen
            ? "unexpected right parenthesis ')'"
            : "unexpected " + token.Describe();
        return new ParseError(token.Pos, context is null ? message : message + context);
    }

    private static int Precedence(TokenKind kind) => kind switch
    {
        TokenKind.Or => 1,
        TokenKind.And or TokenKind.Unless => 2,
        TokenKind.Eql or TokenKind.Neq or TokenKind.Gtr or TokenKind.Lss or TokenKind.Gte or TokenKind.Lte => 3,
        TokenKind.Add or TokenKind.Sub => 4,
        TokenKind.Mul or TokenKind.Div or TokenKind.Mod or TokenKind.Atan2 => 5,
        TokenKind.Pow => 7,
        _ => 0,
    };

    private static BinaryOp ToBinaryOp(TokenKind kind) => kind switch
    {
        TokenKind.Or => BinaryOp.Or,
        TokenKind.And => BinaryOp.And,
        TokenKind.Unless => BinaryOp.Unless,
        TokenKind.Eql => BinaryOp.Eql,
        TokenKind.Neq => BinaryOp.Neq,
        TokenKind.Gtr => BinaryOp.Gtr,
        TokenKind.Lss => BinaryOp.Lss,
        TokenKind.Gte => BinaryOp.Gte,
        TokenKind.Lte => BinaryOp.Lte,
        TokenKind.Add => BinaryOp.Add,
        TokenKind.Sub => BinaryOp.Sub,
        TokenKind.Mul => BinaryOp.Mul,
        TokenKind.Div => BinaryOp.Div,
        TokenKind.Mod => BinaryOp.Mod,
        TokenKind.Atan2 => BinaryOp.Atan2,
        _ => BinaryOp.Pow,
    };

    private Expr ParseExpr(int minPrecedence)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new ParseError(Peek.Pos, "expression nested too deeply");
        }

        var lhs = ParseUnary();
        while (true)
        {
            var opToken = Peek;
            var precedence = Precedence(opToken.Kind);
            if (precedence == 0 || precedence < minPrecedence)
            {
                return lhs;
            }

            Advance();
            var op = ToBinaryOp(opToken.Kind);
            var returnBool = false;
            if (Peek.Kind == TokenKind.Bool)
            {
                Advance();
                returnBool = true;
            }

            VectorMatching? matching = null;
            if (Peek.Kind is TokenKind.On or TokenKind.Ignoring)
            {
                var on = Advance().Kind == TokenKind.On;
                var labels = ParseLabelList();
                var card = Cardinality.OneToOne;
                IReadOnlyList<string> include = [];
                if (Peek.Kind is TokenKind.GroupLeft or TokenKind.GroupRight)
                {
                    var groupToken = Advance();
                    card = groupToken.Kind == TokenKind.GroupLeft ? Cardinality.ManyToOne : Cardinality.OneToMany;
                    if (op.IsSetOperator())
                    {
                        throw new ParseError(groupToken.Pos, $"no grouping allowed for \"{op.Symbol()}\" operation");
                    }

                    if (Peek.Kind == TokenKind.LeftParen)
                    {
                        include = ParseLabelList();
                    }

                    foreach (var label in include)
                    {
                        if (on && labels.Contains(label))
                        {
                            throw new ParseError(groupToken.Pos, $"label \"{label}\" must not occur in ON and GROUP clause at once");
                        }
                    }
                }

                matching = new VectorMatching(card, labels, on, include);
            }
            else if (Peek.Kind is TokenKind.GroupLeft or TokenKind.GroupRight)
            {
                throw Unexpected(Peek);
            }

            var rhs = ParseExpr(op == BinaryOp.Pow ? precedence : precedence + 1);
            lhs = MakeBinary(op, lhs, rhs, matching, returnBool, opToken.Pos);
        }
    }

    private static Expr MakeBinary(BinaryOp op, Expr lhs, Expr rhs, VectorMatching? matching, bool returnBool, int pos)
    {
        if (returnBool && !op.IsComparison())
        {
            throw new ParseError(pos, "bool modifier can only be used on comparison operators");
        }

        if (lhs.Kind is not (ValueKind.Scalar or ValueKind.Vector) || rhs.Kind is not (ValueKind.Scalar or ValueKind.Vector))
        {
            throw new ParseError(pos, "binary expression must contain only scalar and instant vector types");
        }

        var bothVectors = lhs.Kind == ValueKind.Vector && rhs.Kind == ValueKind.Vector;
        if (op.IsComparison() && !returnBool && lhs.Kind == ValueKind.Scalar && rhs.Kind == ValueKind.Scalar)
        {
            throw new ParseError(pos, "comparisons between scalars must use BOOL modifier");
        }

        if (op.IsSetOperator() && !bothVectors)
        {
            throw new ParseError(pos, $"set operator \"{op.Symbol()}\" not allowed in binary scalar expression");
        }

        if (matching is not null && !bothVectors)
        {
            throw new ParseError(pos, "vector matching only allowed between instant vectors");
        }

        if (bothVectors)
        {
            matching ??= new VectorMatching(Cardinality.OneToOne, [], false, []);
            if (op.IsSetOperator())
            {
                matching = matching with { Card = Cardinality.ManyToMany };
            }
        }

        return new BinaryExpr(op, lhs, rhs, matching, returnBool) { Position = lhs.Position };
    }

    private Expr ParseUnary()
    {
        var token = Peek;
        if (token.Kind is TokenKind.Add or TokenKind.Sub)
        {
            Advance();
            var operand = ParseExpr(UnaryPrecedence);
            if (operand.Kind is not (ValueKind.Scalar or ValueKind.Vector))
            {
                throw new ParseError(token.Pos, $"unary expression only allowed on expressions of type scalar or instant vector, got \"{KindName(operand.Kind)}\"");
            }

            if (token.Kind == TokenKind.Add)
            {
                return operand;
            }

            return operand is NumberLiteral n
                ? new NumberLiteral(-n.Value) { Position = token.Pos }
                : new UnaryExpr(operand) { Position = token.Pos };
        }

        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                if (!TryParseNumber(token.Text, out var number))
                {
                    throw new ParseError(token.Pos, $"bad number or duration syntax: \"{token.Text}\"");
                }

                return new NumberLiteral(number) { Position = token.Pos };
            case TokenKind.String:
                Advance();
                return new StringLiteral(token.Text) { Position = token.Pos };
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseExpr(1);
                if (Peek.Kind == TokenKind.Eof)
                {
                    throw new ParseError(Peek.Pos, "unclosed left parenthesis");
                }

                Expect(TokenKind.RightParen, string.Empty);
                return new ParenExpr(inner) { Position = token.Pos };
            case TokenKind.LeftBrace:
                return ParseSelector(null, token.Pos);
            case TokenKind.MetricIdentifier:
                Advance();
                return ParseSelector(token.Text, token.Pos);
            case TokenKind.Identifier:
                Advance();
                if (Peek.Kind == TokenKind.LeftParen)
                {
                    return ParseCall(token);
                }

                return ParseSelector(token.Text, token.Pos);
            case TokenKind.Aggregator when PeekAt(1).Kind is TokenKind.LeftParen or TokenKind.By or TokenKind.Without:
                return ParseAggregation();
            case TokenKind.Aggregator:
                Advance();
                return ParseSelector(token.Text, token.Pos);
            default:
                throw Unexpected(token);
        }
    }

    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            var token = Peek;
            if (token.Kind == TokenKind.LeftBracket)
            {
                Advance();
                var range = ParseRangeDuration();
                if (Peek.Kind == TokenKind.Colon)
                {
                    Advance();
                    long? step = null;
                    if (Peek.Kind == TokenKind.Duration)
                    {
                        step = ParseDurationToken("in subquery");
                    }

                    Expect(TokenKind.RightBracket, " in subquery selector");
                    if (expr.Kind != ValueKind.Vector)
                    {
                        throw new ParseError(expr.Position, $"subquery is only allowed on instant vector, got {KindName(expr.Kind)} instead");
                    }

                    expr = new SubqueryExpr(expr, range, step) { Position = expr.Position };
                    continue;
                }

                Expect(TokenKind.RightBracket, " in range selector, expected \"]\"");
                if (expr is not VectorSelector selector)
                {
                    throw new ParseError(token.Pos, "ranges only allowed for vector selectors");
                }

                if (selector.HasOffset)
                {
                    throw new ParseError(token.Pos, "no offset modifiers allowed before range");
                }

                if (selector.At is not null)
                {
                    throw new ParseError(token.Pos, "no @ modifiers allowed before range");
                }

                expr = new MatrixSelector(selector, range) { Position = expr.Position };
            }
            else if (token.Kind == TokenKind.Offset)
            {
                Advance();
                var sign = 1L;
                if (Peek.Kind is TokenKind.Sub or TokenKind.Add)
                {
                    sign = Advance().Kind == TokenKind.Sub ? -1 : 1;
                }

                var offset = sign * ParseDurationToken("in offset");
                expr = expr switch
                {
                    VectorSelector { HasOffset: true } or MatrixSelector { Selector.HasOffset: true } or SubqueryExpr { HasOffset: true } =>
                        throw new ParseError(token.Pos, "offset may not be set multiple times"),
                    VectorSelector vs => vs with { OffsetMs = offset, HasOffset = true },
                    MatrixSelector ms => ms with { Selector = ms.Selector with { OffsetMs = offset, HasOffset = true } },
                    SubqueryExpr sq => sq with { OffsetMs = offset, HasOffset = true },
                    _ => throw new ParseError(expr.Position, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
                };
            }
            else if (token.Kind == TokenKind.At)
            {
                Advance();
                var at = ParseAt(expr.Position);
                expr = expr switch
                {
                    VectorSelector { At: not null } or MatrixSelector { Selector.At: not null } or SubqueryExpr { At: not null } =>
                        throw new ParseError(token.Pos, "@ <timestamp> may not be set multiple times"),
                    VectorSelector vs => vs with { At = at },
                    MatrixSelector ms => ms with { Selector = ms.Selector with { At = at } },
                    SubqueryExpr sq => sq with { At = at },
                    _ => throw new ParseError(expr.Position, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
                };
            }
            else
            {
                return expr;
            }
        }
    }

    private AtModifier ParseAt(int exprPos)
    {
        var token = Peek;
        if (token.Kind == TokenKind.Identifier && token.Text is "start" or "end")
        {
            Advance();
            Expect(TokenKind.LeftParen, string.Empty);
            Expect(TokenKind.RightParen, string.Empty);
            return new AtModifier(token.Text == "start" ? AtKind.Start : AtKind.End, 0);
        }

        var sign = 1.0;
        if (Peek.Kind is TokenKind.Sub or TokenKind.Add)
        {
            sign = Advance().Kind == TokenKind.Sub ? -1 : 1;
        }

        var numberToken = Peek;
        if (numberToken.Kind != TokenKind.Number || !TryParseNumber(numberToken.Text, out var seconds))
        {
            throw Unexpected(numberToken, " in @, expected timestamp");
        }

        Advance();
        seconds *= sign;
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > long.MaxValue / 1000.0)
        {
            throw new ParseError(exprPos, $"timestamp out of bounds for @ modifier: {FormatGoFloat(seconds)}");
        }

        return new AtModifier(AtKind.Timestamp, (long)Math.Round(seconds * 1000));
    }

    private static string FormatGoFloat(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>The duration inside <c>[...]</c> of a range selector or subquery.</summary>
    private long ParseRangeDuration()
    {
        var token = Peek;
        if (token.Kind is TokenKind.Number or TokenKind.RightBracket)
        {
            throw new ParseError(token.Pos, "missing unit character in duration");
        }

        var ms = ParseDurationToken("in subquery or range selector");
        if (ms <= 0)
        {
            throw new ParseError(token.Pos, "duration must be greater than 0");
        }

        return ms;
    }

    private long ParseDurationToken(string context)
    {
        var token = Peek;
        if (token.Kind != TokenKind.Duration)
        {
            throw Unexpected(token, " " + context + ", expected duration");
        }

        Advance();
        if (!TryParseDuration(token.Text, out var ms))
        {
            throw new ParseError(token.Pos, $"not a valid duration string: \"{token.Text}\"");
        }

        return ms;
    }

    private Expr ParseSelector(string? name, int pos)
    {
        var matchers = new List<LabelMatcher>();
        if (Peek.Kind == TokenKind.LeftBrace)
        {
            Advance();
            while (Peek.Kind != TokenKind.RightBrace)
            {
                var label = Peek;
                if (label.Kind != TokenKind.Identifier)
                {
                    throw Unexpected(label, " in label matching, expected identifier or \"}\"");
                }

                Advance();
                var opToken = Peek;
                var type = opToken.Kind switch
                {
                    TokenKind.Assign => MatcherType.Equal,
                    TokenKind.Neq => MatcherType.NotEqual,
                    TokenKind.EqlRegex => MatcherType.Regex,
                    TokenKind.NeqRegex => MatcherType.NotRegex,
                    _ => throw Unexpected(opToken, " in label matching, expected label matching operator"),
                };
                Advance();
                var value = Peek;
                if (value.Kind != TokenKind.String)
                {
                    throw Unexpected(value, " in label matching, expected string");
                }

                Advance();
                try
                {
                    matchers.Add(new LabelMatcher(type, label.Text, value.Text));
                }
                catch (ArgumentException e)
                {
                    throw new ParseError(value.Pos, "invalid regular expression: " + e.Message);
                }

                if (Peek.Kind == TokenKind.Comma)
                {
                    Advance();
                }
                else if (Peek.Kind != TokenKind.RightBrace)
                {
                    throw Unexpected(Peek, " in label matching, expected \",\" or \"}\"");
                }
            }

            Advance();
        }

        if (name is not null)
        {
            foreach (var m in matchers)
            {
                if (m.Name == Labels.MetricName)
                {
                    throw new ParseError(pos, $"metric name must not be set twice: \"{name}\" or \"{m.Value}\"");
                }
            }

            matchers.Insert(0, LabelMatcher.Equal(Labels.MetricName, name));
        }

        if (matchers.All(static m => m.MatchesEmpty))
        {
            throw new ParseError(pos, "vector selector must contain at least one non-empty matcher");
        }

        if (name is null)
        {
            name = matchers.FirstOrDefault(static m => m.Name == Labels.MetricName && m.Type == MatcherType.Equal)?.Value;
        }

        return new VectorSelector(name, matchers) { Position = pos };
    }

    private List<string> ParseLabelList()
    {
        Expect(TokenKind.LeftParen, " in grouping opts, expected \"(\"");
        var labels = new List<string>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            var token = Peek;
            var isLabel = token.Kind is TokenKind.Identifier or TokenKind.Aggregator or TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Atan2
                || token.IsKeyword
                || (token.Kind == TokenKind.Number && char.IsAsciiLetter(token.Text[0]));
            if (!isLabel)
            {
                throw Unexpected(token, " in grouping opts, expected label");
            }

            Advance();
            labels.Add(token.Text);
            if (Peek.Kind == TokenKind.Comma)
            {
                Advance();
            }
            else if (Peek.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Peek, " in grouping opts, expected \")\" or \",\"");
            }
        }

        Advance();
        return labels;
    }

    private Expr ParseAggregation()
    {
        var opToken = Advance();
        var op = opToken.Text.ToLowerInvariant() switch
        {
            "sum" => AggregateOp.Sum,
            "avg" => AggregateOp.Avg,
            "min" => AggregateOp.Min,
            "max" => AggregateOp.Max,
            "count" => AggregateOp.Count,
            "group" => AggregateOp.Group,
            "stddev" => AggregateOp.Stddev,
            "stdvar" => AggregateOp.Stdvar,
            "topk" => AggregateOp.Topk,
            "bottomk" => AggregateOp.Bottomk,
            "quantile" => AggregateOp.Quantile,
            _ => AggregateOp.CountValues,
        };
        List<string>? grouping = null;
        var without = false;
        if (Peek.Kind is TokenKind.By or TokenKind.Without)
        {
            without = Advance().Kind == TokenKind.Without;
            grouping = ParseLabelList();
        }

        Expect(TokenKind.LeftParen, string.Empty);
        var args = ParseArgs(" in aggregation");
        if (args.Count == 0)
        {
            throw new ParseError(opToken.Pos, "no arguments for aggregate expression provided");
        }

        if (Peek.Kind is TokenKind.By or TokenKind.Without)
        {
            if (grouping is not null)
            {
                throw Unexpected(Peek);
            }

            without = Advance().Kind == TokenKind.Without;
            grouping = ParseLabelList();
        }

        var hasParam = op is AggregateOp.Topk or AggregateOp.Bottomk or AggregateOp.Quantile or AggregateOp.CountValues;
        var expected = hasParam ? 2 : 1;
        if (args.Count != expected)
        {
            throw new ParseError(opToken.Pos, $"wrong number of arguments for aggregate expression provided, expected {expected}, got {args.Count}");
        }

        var inner = args[^1];
        if (inner.Kind != ValueKind.Vector)
        {
            throw new ParseError(inner.Position, $"expected type instant vector in aggregation expression, got {KindName(inner.Kind)}");
        }

        Expr? param = null;
        if (hasParam)
        {
            param = args[0];
            var want = op == AggregateOp.CountValues ? ValueKind.String : ValueKind.Scalar;
            if (param.Kind != want)
            {
                throw new ParseError(param.Position, $"expected type {KindName(want)} in aggregation parameter, got {KindName(param.Kind)}");
            }
        }

        return new AggregateExpr(op, inner, param, grouping ?? [], without) { Position = opToken.Pos };
    }

    /// <summary>Comma-separated arguments up to and including the closing parenthesis.</summary>
    private List<Expr> ParseArgs(string context)
    {
        var args = new List<Expr>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            if (Peek.Kind == TokenKind.Eof)
            {
                throw new ParseError(Peek.Pos, "unclosed left parenthesis");
            }

            args.Add(ParseExpr(1));
            if (Peek.Kind == TokenKind.Comma)
            {
                Advance();
                if (Peek.Kind == TokenKind.RightParen)
                {
                    throw new ParseError(Peek.Pos, "trailing commas not allowed in function call args");
                }
            }
            else if (Peek.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Peek, context + ", expected \",\" or \")\"");
            }
        }

        Advance();
        return args;
    }

    private Expr ParseCall(Token name)
    {
        if (!FunctionRegistry.TryGet(name.Text, out var function))
        {
            throw new ParseError(name.Pos, $"unknown function with name \"{name.Text}\"");
        }

        Advance();
        var args = ParseArgs(" in call to function \"" + name.Text + "\"");
        var nargs = function.ArgKinds.Length;
        if (function.Variadic == 0)
        {
            if (nargs != args.Count)
            {
                throw new ParseError(name.Pos, $"expected {nargs} argument(s) in call to \"{name.Text}\", got {args.Count}");
            }
        }
        else
        {
            var min = nargs - 1;
            if (min > args.Count)
            {
                throw new ParseError(name.Pos, $"expected at least {min} argument(s) in call to \"{name.Text}\", got {args.Count}");
            }

            if (function.Variadic > 0 && min + function.Variadic < args.Count)
            {
                throw new ParseError(name.Pos, $"expected at most {min + function.Variadic} argument(s) in call to \"{name.Text}\", got {args.Count}");
            }
        }

        for (var i = 0; i < args.Count; i++)
        {
            var want = function.ArgKinds[Math.Min(i, nargs - 1)];
            if (args[i].Kind != want)
            {
                throw new ParseError(args[i].Position, $"expected type {KindName(want)} in call to function \"{name.Text}\", got {KindName(args[i].Kind)}");
            }
        }

        return new CallExpr(function, args) { Position = name.Pos };
    }

    internal static string KindName(ValueKind kind) => kind switch
    {
        ValueKind.Scalar => "scalar",
        ValueKind.Vector => "instant vector",
        ValueKind.Matrix => "range vector",
        _ => "string",
    };

    private sealed class ParseError(int pos, string message) : Exception(message)
    {
        public int Pos { get; } = pos;
    }
}
