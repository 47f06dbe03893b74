using Opsmon.Core.Series;
using Opsmon.Query.Ast;

namespace Opsmon.Query.Tests;

public sealed class ParserTests
{
    private static Expr Parse(string input)
    {
        var result = Parser.Parse(input);
        Assert.True(result.IsSuccess, result.Error);
        return result.Expr!;
    }

    [Theory]
    [InlineData("", "1:1: parse error: no expression found in input")]
    [InlineData("1+", "1:3: parse error: unexpected end of input")]
    [InlineData("*1", "1:1: parse error: unexpected <op:*>")]
    [InlineData("(1))", "1:4: parse error: unexpected right parenthesis ')'")]
    [InlineData("((1)", "1:5: parse error: unclosed left parenthesis")]
    [InlineData("2.5.", "1:4: parse error: unexpected character: '.'")]
    [InlineData("100..4", "1:5: parse error: unexpected number \".4\"")]
    [InlineData("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"")]
    [InlineData("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier")]
    [InlineData("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'")]
    [InlineData("-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"")]
    [InlineData("1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("foo offset 1s offset 2s", "1:15: parse error: offset may not be set multiple times")]
    [InlineData("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>")]
    [InlineData("foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>")]
    [InlineData("foo and on(bar) group_left(baz) bar", "1:17: parse error: no grouping allowed for \"and\" operation")]
    [InlineData("a + on(x) group_left(x) b", "1:11: parse error: label \"x\" must not occur in ON and GROUP clause at once")]
    [InlineData("}", "1:1: parse error: unexpected character: '}'")]
    [InlineData("some{", "1:6: parse error: unexpected end of input inside braces")]
    [InlineData("some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string")]
    [InlineData("foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'")]
    [InlineData("foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator")]
    [InlineData("foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, expected string")]
    [InlineData("{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"")]
    [InlineData("foo[5mm]", "1:5: parse error: bad duration syntax: \"5mm\"")]
    [InlineData("foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"")]
    [InlineData("foo[0m]", "1:5: parse error: duration must be greater than 0")]
    [InlineData("foo[1]", "1:5: parse error: missing unit character in duration")]
    [InlineData("some_metric[5m] OFFSET 1", "1:24: parse error: unexpected number \"1\" in offset, expected duration")]
    [InlineData("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range")]
    [InlineData("some_metric[5m] @ 1m", "1:19: parse error: unexpected duration \"1m\" in @, expected timestamp")]
    [InlineData("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf")]
    [InlineData("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors")]
    [InlineData("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided")]
    [InlineData("sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label")]
    [InlineData("topk(some_metric,)", "1:18: parse error: trailing commas not allowed in function call args")]
    [InlineData("topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector")]
    [InlineData("count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar")]
    [InlineData("floor(some_metric, 1)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2")]
    [InlineData("hour(a, b, c)", "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3")]
    [InlineData("rate(some_metric)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("non_existent()", "1:1: parse error: unknown function with name \"non_existent\"")]
    [InlineData("\"\\c\"", "1:2: parse error: unknown escape sequence U+0063 'c'")]
    [InlineData("foo[5m:1m][1m]", "1:11: parse error: ranges only allowed for vector selectors")]
    [InlineData("sum(foo)\n  + 1 +", "2:8: parse error: unexpected end of input")]
    public void Parse_reports_errors_with_Prometheus_positions_and_messages(string input, string error)
    {
        var result = Parser.Parse(input);

        Assert.False(result.IsSuccess);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void Multiplication_binds_tighter_than_addition()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("1 + 2 * 3"));

        Assert.Equal(BinaryOp.Add, e.Op);
        Assert.Equal(BinaryOp.Mul, Assert.IsType<BinaryExpr>(e.Rhs).Op);
    }

    [Fact]
    public void Power_is_right_associative()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("2 ^ 3 ^ 2"));

        Assert.Equal(2, Assert.IsType<NumberLiteral>(e.Lhs).Value);
        Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(e.Rhs).Op);
    }

    [Fact]
    public void Subtraction_is_left_associative()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("a - b - c"));

        Assert.Equal("c", Assert.IsType<VectorSelector>(e.Rhs).Name);
        Assert.Equal(BinaryOp.Sub, Assert.IsType<BinaryExpr>(e.Lhs).Op);
    }

    [Fact]
    public void Unary_minus_binds_looser_than_power()
    {
        var e = Assert.IsType<UnaryExpr>(Parse("-2 ^ 2"));

        Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(e.Inner).Op);
    }

    [Fact]
    public void Unary_minus_on_a_number_is_folded_into_the_literal()
    {
        Assert.Equal(-5, Assert.IsType<NumberLiteral>(Parse("-5")).Value);
    }

    [Fact]
    public void And_binds_tighter_than_or()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("a or b and c unless d"));

        Assert.Equal(BinaryOp.Or, e.Op);
        Assert.Equal(BinaryOp.Unless, Assert.IsType<BinaryExpr>(e.Rhs).Op);
        Assert.Equal(Cardinality.ManyToMany, e.Matching!.Card);
    }

    [Fact]
    public void Comparison_binds_looser_than_arithmetic()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("a + 1 > bool b * 2"));

        Assert.Equal(BinaryOp.Gtr, e.Op);
        Assert.True(e.ReturnBool);
    }

    [Fact]
    public void Vector_matching_modifiers_are_recorded()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("a / on(x, y) group_left(z) b"));

        Assert.Equal(Cardinality.ManyToOne, e.Matching!.Card);
        Assert.True(e.Matching.On);
        Assert.Equal(["x", "y"], e.Matching!.MatchingLabels);
        Assert.Equal(["z"], e.Matching.Include);
        Assert.Equal(Cardinality.OneToMany, Assert.IsType<BinaryExpr>(Parse("a - ignoring(x) group_right b")).Matching!.Card);
    }

    [Fact]
    public void Aggregation_grouping_may_come_before_or_after_the_arguments()
    {
        var before = Assert.IsType<AggregateExpr>(Parse("sum by (job) (x)"));
        var after = Assert.IsType<AggregateExpr>(Parse("sum(x) without (job)"));

        Assert.Equal(["job"], before.Grouping);
        Assert.False(before.Without);
        Assert.Equal(["job"], after.Grouping);
        Assert.True(after.Without);
    }

    [Fact]
    public void Keywords_may_be_grouping_labels()
    {
        var e = Assert.IsType<AggregateExpr>(Parse("sum without(and, by, avg, count, alert)(some_metric)"));

        Assert.Equal(["and", "by", "avg", "count", "alert"], e.Grouping);
    }

    [Fact]
    public void An_aggregator_name_without_arguments_is_a_metric_name()
    {
        var e = Assert.IsType<BinaryExpr>(Parse("foo * sum"));

        Assert.Equal("sum", Assert.IsType<VectorSelector>(e.Rhs).Name);
    }

    [Fact]
    public void Aggregation_parameters_are_parsed()
    {
        var topk = Assert.IsType<AggregateExpr>(Parse("topk(5, x)"));
        var countValues = Assert.IsType<AggregateExpr>(Parse("count_values(\"v\", x)"));

        Assert.Equal(5, Assert.IsType<NumberLiteral>(topk.Param).Value);
        Assert.Equal("v", Assert.IsType<StringLiteral>(countValues.Param).Value);
    }

    [Fact]
    public void Selectors_accept_all_four_matchers()
    {
        var e = Assert.IsType<VectorSelector>(Parse("foo{a=\"1\", b!=\"2\", c=~\"3.*\", d!~\"4\",}"));

        Assert.Equal(
            [MatcherType.Equal, MatcherType.Equal, MatcherType.NotEqual, MatcherType.Regex, MatcherType.NotRegex],
            e.Matchers.Select(static m => m.Type));
        Assert.Equal("foo", e.Name);
    }

    [Fact]
    public void A_name_matcher_alone_names_the_selector()
    {
        Assert.Equal("foo:bar", Assert.IsType<VectorSelector>(Parse("{__name__=\"foo:bar\"}")).Name);
    }

    [Fact]
    public void Offset_may_be_negative_and_combine_with_at()
    {
        var e = Assert.IsType<VectorSelector>(Parse("foo offset -1h30m @ 100.5"));

        Assert.Equal(-5_400_000, e.OffsetMs);
        Assert.Equal(new AtModifier(AtKind.Timestamp, 100_500), e.At);
    }

    [Fact]
    public void At_accepts_start_and_end()
    {
        Assert.Equal(AtKind.Start, Assert.IsType<MatrixSelector>(Parse("foo[5m] @ start()")).Selector.At!.Kind);
        Assert.Equal(AtKind.End, Assert.IsType<SubqueryExpr>(Parse("foo[5m:] @ end()")).At!.Kind);
    }

    [Fact]
    public void Subqueries_have_a_range_and_an_optional_step()
    {
        var withStep = Assert.IsType<SubqueryExpr>(Parse("rate(foo[1m])[10m5s:1h6ms]"));
        var withoutStep = Assert.IsType<SubqueryExpr>(Parse("foo offset 1m [10m:]"));

        Assert.Equal(605_000, withStep.RangeMs);
        Assert.Equal(3_600_006, withStep.StepMs);
        Assert.Null(withoutStep.StepMs);
    }

    [Theory]
    [InlineData("0x1F", 31)]
    [InlineData("1e3", 1000)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("010", 8)]
    [InlineData("Inf", double.PositiveInfinity)]
    [InlineData("-inf", double.NegativeInfinity)]
    public void Number_literals_follow_Go_parsing(string text, double value)
    {
        Assert.Equal(value, Assert.IsType<NumberLiteral>(Parse(text)).Value);
    }

    [Fact]
    public void NaN_is_a_number_literal()
    {
        Assert.True(double.IsNaN(Assert.IsType<NumberLiteral>(Parse("NaN")).Value));
    }

    [Theory]
    [InlineData("\"a\\nb\\\"c\"", "a\nb\"c")]
    [InlineData("'it\\'s \\x41\\u00e9'", "it's Aé")]
    [InlineData("`raw\\n`", "raw\\n")]
    [InlineData("\"\\101\"", "A")]
    public void Strings_unescape_like_Go(string text, string value)
    {
        Assert.Equal(value, Assert.IsType<StringLiteral>(Parse(text)).Value);
    }

    [Theory]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("1d", 86_400_000)]
    [InlineData("2w", 1_209_600_000)]
    [InlineData("1y", 31_536_000_000)]
    public void Durations_combine_units(string text, long ms)
    {
        Assert.True(Parser.TryParseDuration(text, out var actual));
        Assert.Equal(ms, actual);
    }

    [Theory]
    [InlineData("5m1h")]
    [InlineData("5")]
    [InlineData("m")]
    public void Durations_out_of_order_or_without_unit_are_rejected(string text)
    {
        Assert.False(Parser.TryParseDuration(text, out _));
    }

    [Fact]
    public void Keywords_and_aggregators_are_case_insensitive()
    {
        var e = Assert.IsType<AggregateExpr>(Parse("SUM BY (job) (rate(x[5m] OFFSET 1m))"));

        Assert.Equal(AggregateOp.Sum, e.Op);
    }

    [Fact]
    public void Deeply_nested_input_is_an_error_not_a_crash()
    {
        var result = Parser.Parse(new string('-', 200_000) + "1");

        Assert.False(result.IsSuccess);
        Assert.Contains("nested too deeply", result.Error, StringComparison.Ordinal);
    }
}
