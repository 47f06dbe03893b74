using Opsmon.Query.PromqlTest;

namespace Opsmon.Query.Tests.PromqlTest;

public sealed class PromqlTestRunnerTests
{
    private const string Load = """
        load 1m
            up{job="a"} 1+1x5
            up{job="b"} 10

        """;

    [Fact]
    public void Run_counts_each_passing_eval()
    {
        var report = PromqlTestRunner.Run(Load + "eval instant at 2m up\n    up{job=\"a\"} 3\n    up{job=\"b\"} 10\n\neval instant at 0 1\n    1\n", "t.test");

        Assert.Equal(2, report.Passed);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public void Run_reports_a_wrong_value_with_its_line_expected_and_actual()
    {
        var report = PromqlTestRunner.Run(Load + "eval instant at 2m up{job=\"a\"}\n    up{job=\"a\"} 4\n", "t.test");

        var failure = Assert.Single(report.Failures);
        Assert.Equal(4, failure.Line);
        Assert.Contains("expected 4, got 3", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, report.Passed);
    }

    [Fact]
    public void Run_fails_an_eval_that_misses_an_expected_series()
    {
        var report = PromqlTestRunner.Run(Load + "eval instant at 2m up{job=\"a\"}\n    up{job=\"a\"} 3\n    up{job=\"c\"} 1\n", "t.test");

        Assert.Contains("missing up{job=\"c\"}", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_fails_an_eval_that_returns_an_unexpected_series()
    {
        var report = PromqlTestRunner.Run(Load + "eval instant at 2m up\n    up{job=\"a\"} 3\n", "t.test");

        Assert.Contains("unexpected up{job=\"b\"}", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_fails_eval_fail_when_the_query_succeeds()
    {
        var report = PromqlTestRunner.Run(Load + "eval_fail instant at 0 up\n", "t.test");

        Assert.Equal(1, report.Failed);
    }

    [Fact]
    public void Run_checks_the_expected_fail_message()
    {
        var report = PromqlTestRunner.Run("eval_fail instant at 0 foo{\n    expected_fail_message something else\n", "t.test");

        Assert.Contains("1:5: parse error: unexpected end of input inside braces", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_compares_range_results_step_by_step()
    {
        var report = PromqlTestRunner.Run(Load + "eval range from 0 to 2m step 1m up{job=\"a\"}\n    up{job=\"a\"} 1 2 4\n", "t.test");

        Assert.Contains("expected 1@0s 2@60s 4@120s, got 1@0s 2@60s 3@120s", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_treats_a_blank_in_an_expected_range_as_a_missing_step()
    {
        var report = PromqlTestRunner.Run("load 1m\n    x 1 _ _ _ _ _ _ 2\n\neval range from 0 to 7m step 1m x\n    x 1 1 1 1 1 1 _ 2\n", "t.test");

        Assert.True(report.Success, report.ToString());
    }

    [Fact]
    public void Run_checks_the_order_for_eval_ordered()
    {
        var report = PromqlTestRunner.Run(Load + "eval_ordered instant at 2m sort_desc(up)\n    up{job=\"a\"} 3\n    up{job=\"b\"} 10\n", "t.test");

        Assert.Contains("position 0", Assert.Single(report.Failures).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_clear_removes_loaded_data()
    {
        var report = PromqlTestRunner.Run(Load + "clear\n\neval instant at 0 up\n", "t.test");

        Assert.True(report.Success, report.ToString());
    }

    [Fact]
    public void Run_reports_a_malformed_command_as_a_failure_at_its_line()
    {
        var report = PromqlTestRunner.Run("\n\nevaluate at 0 up\n", "t.test");

        Assert.Equal(3, Assert.Single(report.Failures).Line);
    }

    [Theory]
    [InlineData("1+2x3", "1 3 5 7")]
    [InlineData("10-2x2", "10 8 6")]
    [InlineData("5x2", "5 5 5")]
    [InlineData("1 _x2 3", "1 _ _ 3")]
    [InlineData("-3x2", "-3 -3 -3")]
    [InlineData("-1-1x2", "-1 -2 -3")]
    [InlineData("1e3+1e3x1", "1000 2000")]
    [InlineData("-1 +Inf", "-1 +Inf")]
    public void Series_values_use_the_expanding_notation(string notation, string expanded)
    {
        var (_, values) = TestScript.ParseSeriesLine("x " + notation, 1);

        var text = string.Join(' ', values.Select(static v => v is { } d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace("∞", "Inf", StringComparison.Ordinal) : "_"));
        Assert.Equal(expanded.Replace("+Inf", "Infinity", StringComparison.Ordinal), text);
    }

    [Fact]
    public void Series_value_stale_is_the_staleness_marker()
    {
        var (_, values) = TestScript.ParseSeriesLine("x{a=\"b\"} stale", 1);

        Assert.True(Opsmon.Core.Series.StaleNaN.Is(Assert.Single(values)!.Value));
    }
}
