using Opsmon.Rules.Templating;

namespace Opsmon.Rules.Tests.Templating;

public sealed class HumanizeTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(999, "999")]
    [InlineData(1234, "1.234k")]
    [InlineData(2048000, "2.048M")]
    [InlineData(1e12, "1T")]
    [InlineData(0.001234, "1.234m")]
    [InlineData(-1500, "-1.5k")]
    [InlineData(12345, "12.35k")]
    public void Humanize_uses_si_prefixes_and_four_significant_digits(double value, string expected) =>
        Assert.Equal(expected, Humanize.Number(value));

    [Theory]
    [InlineData(1024, "1ki")]
    [InlineData(1536, "1.5ki")]
    [InlineData(1073741824, "1Gi")]
    public void Humanize1024_uses_binary_prefixes(double value, string expected) =>
        Assert.Equal(expected, Humanize.Number1024(value));

    [Theory]
    [InlineData(0.9, "90%")]
    [InlineData(0.5, "50%")]
    [InlineData(0.012345, "1.234%")]
    public void HumanizePercentage_multiplies_by_hundred(double value, string expected) =>
        Assert.Equal(expected, Humanize.Percentage(value));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(5.5, "5.5s")]
    [InlineData(90, "1m 30s")]
    [InlineData(3725, "1h 2m 5s")]
    [InlineData(90061, "1d 1h 1m 1s")]
    [InlineData(0.25, "250ms")]
    [InlineData(-90, "-1m 30s")]
    public void HumanizeDuration_writes_days_hours_minutes_seconds(double value, string expected) =>
        Assert.Equal(expected, Humanize.Duration(value));

    [Theory]
    [InlineData(1.0, 4, "1")]
    [InlineData(123456.0, 4, "1.235e+05")]
    [InlineData(0.5, 4, "0.5")]
    [InlineData(0.00001234, 4, "1.234e-05")]
    public void G_formats_like_go(double value, int prec, string expected) => Assert.Equal(expected, GoFormat.G(value, prec));

    [Theory]
    [InlineData(1.0, "1e+00")]
    [InlineData(15.0, "1.5e+01")]
    [InlineData(0.25, "2.5e-01")]
    public void EShortest_formats_api_values_like_prometheus(double value, string expected) =>
        Assert.Equal(expected, GoFormat.EShortest(value));
}
