using System.Globalization;
using System.Text;

namespace Opsmon.Query;

internal enum TokenKind
{
    Eof,
    Error,
    Identifier,
    MetricIdentifier,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    Assign,
    Eql,
    Neq,
    EqlRegex,
    NeqRegex,
    Gtr,
    Lss,
    Gte,
    Lte,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    And,
    Or,
    Unless,
    Atan2,
    By,
    Without,
    On,
    Ignoring,
    GroupLeft,
    GroupRight,
    Bool,
    Offset,
    Aggregator,
}

/// <summary>A lexed token. <see cref="Text"/> holds the raw text, or the unquoted value for strings.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Pos)
{
    public bool IsOperator => Kind is >= TokenKind.Eql and <= TokenKind.Atan2 and not TokenKind.Assign;

    public bool IsKeyword => Kind is >= TokenKind.By and <= TokenKind.Offset;

    /// <summary>Prometheus's description of a token in "unexpected ..." messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Eof => "end of input",
        TokenKind.Error => Text,
        TokenKind.Identifier => $"identifier \"{Text}\"",
        TokenKind.MetricIdentifier => $"metric identifier \"{Text}\"",
        TokenKind.Number => $"number \"{Text}\"",
        TokenKind.Duration => $"duration \"{Text}\"",
        TokenKind.String => "string " + Quote(Text),
        TokenKind.Aggregator => $"<aggr:{Text}>",
        _ when IsOperator => $"<op:{Text}>",
        _ when IsKeyword => $"<{Text}>",
        TokenKind.RightParen => "\")\"",
        TokenKind.LeftParen => "\"(\"",
        TokenKind.RightBrace => "\"}\"",
        TokenKind.LeftBrace => "\"{\"",
        TokenKind.RightBracket => "\"]\"",
        TokenKind.LeftBracket => "\"[\"",
        TokenKind.Assign => "\"=\"",
        _ => $"\"{Text}\"",
    };

    private static string Quote(string s) => s.Length > 10 ? "\"" + s[..10] + "\"..." : "\"" + s + "\"";
}

/// <summary>PromQL's lexer (Prometheus promql/parser/lex.go): keywords and aggregators are case-insensitive, label names inside braces never are keywords.</summary>
internal sealed class Lexer
{
    private static readonly Dictionary<string, TokenKind> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["and"] = TokenKind.And,
        ["or"] = TokenKind.Or,
        ["unless"] = TokenKind.Unless,
        ["atan2"] = TokenKind.Atan2,
        ["by"] = TokenKind.By,
        ["without"] = TokenKind.Without,
        ["on"] = TokenKind.On,
        ["ignoring"] = TokenKind.Ignoring,
        ["group_left"] = TokenKind.GroupLeft,
        ["group_right"] = TokenKind.GroupRight,
        ["bool"] = TokenKind.Bool,
        ["offset"] = TokenKind.Offset,
    };

    internal static readonly HashSet<string> AggregatorNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    };

    private readonly string _input;
    private int _pos;
    private int _braceDepth;
    private bool _inBrackets;
    private bool _afterColon;

    public Lexer(string input) => _input = input;

    public List<Token> Tokenize()
    {
        var tokens = new List<Token>();
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Kind is TokenKind.Eof or TokenKind.Error)
            {
                return tokens;
            }
        }
    }

    private Token Next()
    {
        while (_pos < _input.Length)
        {
            var c = _input[_pos];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _input.Length && _input[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                break;
            }
        }

        if (_pos >= _input.Length)
        {
            return _braceDepth > 0
                ? new Token(TokenKind.Error, "unexpected end of input inside braces", _pos)
                : new Token(TokenKind.Eof, string.Empty, _pos);
        }

        var start = _pos;
        var ch = _input[_pos];
        var next = _pos + 1 < _input.Length ? _input[_pos + 1] : '\0';
        if (_braceDepth > 0)
        {
            return NextInsideBraces(start, ch, next);
        }

        switch (ch)
        {
            case '(':
                _pos++;
                return new Token(TokenKind.LeftParen, "(", start);
            case ')':
                _pos++;
                return new Token(TokenKind.RightParen, ")", start);
            case '{':
                _pos++;
                _braceDepth++;
                return new Token(TokenKind.LeftBrace, "{", start);
            case '}':
                _pos++;
                return new Token(TokenKind.Error, "unexpected character: '}'", start);
            case '[':
                _pos++;
                _inBrackets = true;
                _afterColon = false;
                return new Token(TokenKind.LeftBracket, "[", start);
            case ']':
                _pos++;
                _inBrackets = false;
                return new Token(TokenKind.RightBracket, "]", start);
            case ',':
                _pos++;
                return new Token(TokenKind.Comma, ",", start);
            case ':' when !IsIdentStart(next):
                _pos++;
                _afterColon = true;
                return new Token(TokenKind.Colon, ":", start);
            case '@':
                _pos++;
                return new Token(TokenKind.At, "@", start);
            case '=':
                _pos++;
                if (next == '=')
                {
                    _pos++;
                    return new Token(TokenKind.Eql, "==", start);
                }

                if (next == '~')
                {
                    return new Token(TokenKind.Error, "unexpected character after '=': '~'", start);
                }

                return new Token(TokenKind.Assign, "=", start);
            case '!':
                if (next == '=')
                {
                    _pos += 2;
                    return new Token(TokenKind.Neq, "!=", start);
                }

                return new Token(TokenKind.Error, $"unexpected character after '!': {Quote(next)}", start);
            case '<':
                _pos++;
                if (next == '=')
                {
                    _pos++;
                    return new Token(TokenKind.Lte, "<=", start);
                }

                return new Token(TokenKind.Lss, "<", start);
            case '>':
                _pos++;
                if (next == '=')
                {
                    _pos++;
                    return new Token(TokenKind.Gte, ">=", start);
                }

                return new Token(TokenKind.Gtr, ">", start);
            case '+':
                _pos++;
                return new Token(TokenKind.Add, "+", start);
            case '-':
                _pos++;
                return new Token(TokenKind.Sub, "-", start);
            case '*':
                _pos++;
                return new Token(TokenKind.Mul, "*", start);
            case '/':
                _pos++;
                return new Token(TokenKind.Div, "/", start);
            case '%':
                _pos++;
                return new Token(TokenKind.Mod, "%", start);
            case '^':
                _pos++;
                return new Token(TokenKind.Pow, "^", start);
            case '"' or '\'' or '`':
                return LexString(ch);
            default:
                break;
        }

        if (char.IsAsciiDigit(ch) || (ch == '.' && char.IsAsciiDigit(next)))
        {
            return LexNumberOrDuration();
        }

        if (IsIdentStart(ch) || ch == ':')
        {
            while (_pos < _input.Length && (IsIdentChar(_input[_pos]) || _input[_pos] == ':'))
            {
                _pos++;
            }

            var word = _input[start.._pos];

            if (word.Contains(':', StringComparison.Ordinal))
            {
                return new Token(TokenKind.MetricIdentifier, word, start);
            }

            if (Keywords.TryGetValue(word, out var kind))
            {
                return new Token(kind, word, start);
            }

            if (AggregatorNames.Contains(word))
            {
                return new Token(TokenKind.Aggregator, word, start);
            }

            if (word.Equals("inf", StringComparison.OrdinalIgnoreCase) || word.Equals("nan", StringComparison.OrdinalIgnoreCase))
            {
                return new Token(TokenKind.Number, word, start);
            }

            return new Token(TokenKind.Identifier, word, start);
        }

        _pos++;
        return new Token(TokenKind.Error, $"unexpected character: {Quote(ch)}", start);
    }

    private static string Quote(char c) => "'" + c + "'";

    /// <summary>Go's %#U: <c>U+0063 'c'</c>.</summary>
    private static string Rune(char c) => $"U+{(int)c:X4} '{c}'";

    private static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private Token LexNumberOrDuration()
    {
        var start = _pos;
        var durationEnd = MatchDuration(_pos);
        if (durationEnd > 0 && (durationEnd >= _input.Length || !IsIdentChar(_input[durationEnd])))
        {
            _pos = durationEnd;
            return new Token(TokenKind.Duration, _input[start.._pos], start);
        }

        if (_input[_pos] == '0' && _pos + 1 < _input.Length && _input[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            while (_pos < _input.Length && char.IsAsciiHexDigit(_input[_pos]))
            {
                _pos++;
            }
        }
        else
        {
            SkipDigits();
            if (_pos < _input.Length && _input[_pos] == '.')
            {
                _pos++;
                SkipDigits();
            }

            if (_pos < _input.Length && _input[_pos] is 'e' or 'E')
            {
                var save = _pos;
                _pos++;
                if (_pos < _input.Length && _input[_pos] is '+' or '-')
                {
                    _pos++;
                }

                if (_pos >= _input.Length || !char.IsAsciiDigit(_input[_pos]))
                {
                    _pos = save;
                }
                else
                {
                    SkipDigits();
                }
            }
        }

        if (_pos < _input.Length && IsIdentChar(_input[_pos]))
        {
            return BadNumber(start, Math.Max(_pos, durationEnd) + 1);
        }

        return new Token(TokenKind.Number, _input[start.._pos], start);
    }

    private Token BadNumber(int start, int end)
    {
        _pos = Math.Min(end, _input.Length);
        var kind = _inBrackets && !_afterColon ? "bad duration syntax" : "bad number or duration syntax";
        return new Token(TokenKind.Error, $"{kind}: \"{_input[start.._pos]}\"", start);
    }

    private Token NextInsideBraces(int start, char ch, char next)
    {
        switch (ch)
        {
            case '}':
                _pos++;
                _braceDepth--;
                return new Token(TokenKind.RightBrace, "}", start);
            case ',':
                _pos++;
                return new Token(TokenKind.Comma, ",", start);
            case '=':
                _pos += next == '~' ? 2 : 1;
                return next == '~' ? new Token(TokenKind.EqlRegex, "=~", start) : new Token(TokenKind.Assign, "=", start);
            case '!' when next is '=' or '~':
                _pos += 2;
                return next == '~' ? new Token(TokenKind.NeqRegex, "!~", start) : new Token(TokenKind.Neq, "!=", start);
            case '"' or '\'' or '`':
                return LexString(ch);
            default:
                break;
        }

        if (IsIdentStart(ch))
        {
            while (_pos < _input.Length && IsIdentChar(_input[_pos]))
            {
                _pos++;
            }

            return new Token(TokenKind.Identifier, _input[start.._pos], start);
        }

        _pos++;
        return new Token(TokenKind.Error, $"unexpected character inside braces: {Quote(ch)}", start);
    }

    private void SkipDigits()
    {
        while (_pos < _input.Length && char.IsAsciiDigit(_input[_pos]))
        {
            _pos++;
        }
    }

    /// <summary>End of a duration like <c>1h30m</c> starting at <paramref name="pos"/>, or -1.</summary>
    private int MatchDuration(int pos)
    {
        var matched = -1;
        while (pos < _input.Length && char.IsAsciiDigit(_input[pos]))
        {
            var p = pos;
            while (p < _input.Length && char.IsAsciiDigit(_input[p]))
            {
                p++;
            }

            if (p >= _input.Length)
            {
                break;
            }

            var unitLength = _input[p] switch
            {
                'm' when p + 1 < _input.Length && _input[p + 1] == 's' => 2,
                'y' or 'w' or 'd' or 'h' or 'm' or 's' => 1,
                _ => 0,
            };
            if (unitLength == 0)
            {
                break;
            }

            pos = p + unitLength;
            matched = pos;
        }

        return matched;
    }

    private Token LexString(char quote)
    {
        var start = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _input.Length)
            {
                return new Token(TokenKind.Error, quote == '`' ? "unterminated raw string" : "unterminated quoted string", start);
            }

            var c = _input[_pos++];
            if (c == quote)
            {
                return new Token(TokenKind.String, sb.ToString(), start);
            }

            if (quote == '`')
            {
                sb.Append(c);
                continue;
            }

            if (c == '\n')
            {
                return new Token(TokenKind.Error, "unterminated quoted string", start);
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos >= _input.Length)
            {
                return new Token(TokenKind.Error, "escape sequence not terminated", start);
            }

            var e = _input[_pos++];
            switch (e)
            {
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '"' or '\'' when e == quote: sb.Append(e); break;
                case 'x' or 'u' or 'U':
                    var n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    for (var h = 0; h < n; h++)
                    {
                        if (_pos + h >= _input.Length)
                        {
                            return new Token(TokenKind.Error, "escape sequence not terminated", _pos);
                        }

                        if (!char.IsAsciiHexDigit(_input[_pos + h]))
                        {
                            return new Token(TokenKind.Error, $"illegal character {Rune(_input[_pos + h])} in escape sequence", _pos + h);
                        }
                    }

                    var code = int.Parse(_input.AsSpan(_pos, n), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

                    _pos += n;
                    if (e == 'x')
                    {
                        sb.Append((char)code);
                    }
                    else
                    {
                        sb.Append(char.ConvertFromUtf32(code));
                    }

                    break;
                case >= '0' and <= '7':
                    if (_pos + 2 > _input.Length)
                    {
                        return new Token(TokenKind.Error, "escape sequence not terminated", _pos);
                    }

                    var octal = _input.AsSpan(_pos - 1, 3);
                    var value = 0;
                    foreach (var o in octal)
                    {
                        if (o is < '0' or > '7')
                        {
                            return new Token(TokenKind.Error, $"illegal character {Rune(o)} in escape sequence", _pos);
                        }

                        value = (value * 8) + (o - '0');
                    }

                    _pos += 2;
                    sb.Append((char)value);
                    break;
                default:
                    return new Token(TokenKind.Error, $"unknown escape sequence {Rune(e)}", _pos - 2);
            }
        }
    }
}
