using Opsmon.Rules.Testing;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Testing;

public sealed class RuleTestRunnerTests
{
    [Fact]
    public void Passing_file_reports_success()
    {
        var report = RuleTestRunner.RunFile(Fixture.Path("tests/pass.test.yml"));

        Assert.True(report.Passed, report.Render());
        Assert.EndsWith("  SUCCESS\n", report.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_alert_is_reported_with_expected_and_got()
    {
        var report = RuleTestRunner.RunFile(Fixture.Path("tests/fail_alert.test.yml"));

        var error = Assert.Single(report.Errors);
        Assert.StartsWith("    alertname: InstanceDown, time: 30s, \n        exp:[", error, StringComparison.Ordinal);
        Assert.Contains("Labels:{alertname=\"InstanceDown\", instance=\"h1\", job=\"api\"}", error, StringComparison.Ordinal);
        Assert.EndsWith("got:[]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_sample_value_is_reported_with_both_values()
    {
        var report = RuleTestRunner.RunFile(Fixture.Path("tests/fail_expr.test.yml"));

        var error = Assert.Single(report.Errors);
        Assert.Contains("expr: \"instance:memory_used:ratio\", time: 2m", error, StringComparison.Ordinal);
        Assert.Contains("} 0.7]", error, StringComparison.Ordinal);
        Assert.Contains("} 0.75]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_rule_file_fails_the_test_file_with_its_error()
    {
        var report = RuleTestRunner.RunFile(Fixture.Path("tests/bad_rule_file.test.yml"));

        Assert.Contains(report.Errors, e => e.Contains("could not parse expression", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_key_in_test_file_is_an_error_with_its_line()
    {
        var report = RuleTestRunner.Run("tests:\n  - interval: 1m\n    input_serie: []\n", "t.yml", TimeProvider.System);

        Assert.Contains(report.Errors, e => e.Contains("t.yml:3: field input_serie not found", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1+2x3", new[] { 1.0, 3, 5, 7 })]
    [InlineData("5-1x2", new[] { 5.0, 4, 3 })]
    [InlineData("7x2", new[] { 7.0, 7, 7 })]
    [InlineData("1 _x2 4", new[] { 1.0, double.NegativeInfinity, double.NegativeInfinity, 4 })]
    public void Series_values_expand_like_promtool(string text, double[] expected)
    {
        var values = SeriesNotation.ParseValues(text, out var error);

        Assert.Null(error);
        Assert.Equal(expected, values!.Select(v => v ?? double.NegativeInfinity));
    }
}
