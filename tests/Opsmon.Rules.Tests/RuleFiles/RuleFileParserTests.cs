using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.RuleFiles;

public sealed class RuleFileParserTests
{
    [Fact]
    public void Valid_file_yields_its_groups_and_rules()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/good.yml"));

        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.Equal(["node", "availability"], result.Groups.Select(g => g.Name));
        Assert.Equal(TimeSpan.FromMinutes(1), result.Groups[0].Interval);
        Assert.Null(result.Groups[1].Interval);
        var alert = result.Groups[0].Rules[1];
        Assert.Equal("MemoryPressure", alert.Alert);
        Assert.Equal(TimeSpan.FromMinutes(2), alert.For);
        Assert.Equal(TimeSpan.FromMinutes(1), alert.KeepFiringFor);
        Assert.Equal("warning", alert.Labels["severity"]);
        Assert.Equal(3, result.RuleCount);
    }

    [Fact]
    public void Unknown_key_is_an_error_at_its_line()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_unknown_key.yml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Line);
        Assert.Contains("field fro not found", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("bad_unknown_key.yml", error.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_and_alert_together_name_the_group_and_rule()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_record_and_alert.yml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(("both", 1, 4), (error.Group, error.RuleIndex, error.Line));
        Assert.Equal("only one of 'record' and 'alert' must be set", error.Message);
    }

    [Fact]
    public void Rule_without_record_or_alert_is_an_error()
    {
        var result = RuleFileParser.Parse("groups:\n  - name: g\n    rules:\n      - expr: up\n", "f.yml");

        Assert.Equal("one of 'record' or 'alert' must be set", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Expression_error_carries_prometheus_parse_message_and_expr_line()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_expr.yml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, "Broken"), (error.Line, error.RuleName));
        Assert.StartsWith("could not parse expression: 1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("parse error", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad_expr.yml:5:15: group \"broken\", rule 1, \"Broken\"", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_recording_rule_name_is_an_error()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_record_name.yml"));

        Assert.Equal("invalid recording rule name: job-up", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Bad_duration_is_an_error_at_its_line()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_duration.yml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Line);
        Assert.Equal("not a valid duration string: \"5 minutes\"", error.Message);
    }

    [Fact]
    public void Repeated_group_name_is_an_error_at_the_second_group()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_duplicate_group.yml"));

        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Line);
        Assert.Equal("groupname: \"same\" is repeated in the same file", error.Message);
    }

    [Fact]
    public void Annotation_template_that_does_not_parse_is_an_error()
    {
        var result = RuleFileParser.ParseFile(Fixture.Path("rules/bad_template.yml"));

        Assert.Equal("template: __alert_BadTemplate:1: function \"humanise\" not defined", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Recording_rule_with_for_is_an_error()
    {
        var result = RuleFileParser.Parse("groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: up\n        for: 1m\n", "f.yml");

        Assert.Equal("invalid field 'for' in recording rule", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Every_error_of_a_file_is_reported()
    {
        var yaml = "groups:\n  - name: g\n    rules:\n      - record: 'bad name'\n        expr: up\n      - alert: A\n        expr: 'up =='\n";

        var result = RuleFileParser.Parse(yaml, "f.yml");

        Assert.Equal([1, 2], result.Errors.Select(e => e.RuleIndex ?? 0));
    }

    [Fact]
    public void Malformed_yaml_is_an_error_not_an_exception()
    {
        var result = RuleFileParser.Parse("groups:\n  - name: [unclosed\n", "f.yml");

        Assert.False(result.IsValid);
        Assert.StartsWith("yaml:", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_is_valid_with_no_groups()
    {
        var result = RuleFileParser.Parse(string.Empty, "f.yml");

        Assert.True(result.IsValid);
        Assert.Empty(result.Groups);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("90s", 90_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("500ms", 500)]
    public void Durations_parse_like_model_duration(string text, long ms)
    {
        Assert.True(PromDuration.TryParse(text, out var d));
        Assert.Equal(ms, (long)d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("1m1h")]
    [InlineData("5 minutes")]
    public void Invalid_durations_are_rejected(string text) => Assert.False(PromDuration.TryParse(text, out _));

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(0, "0s")]
    [InlineData(3_600_000, "1h")]
    public void Durations_format_like_model_duration(long ms, string text) =>
        Assert.Equal(text, PromDuration.Format(TimeSpan.FromMilliseconds(ms)));
}
