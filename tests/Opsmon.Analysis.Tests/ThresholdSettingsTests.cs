namespace Opsmon.Analysis.Tests;

/// <summary>Every threshold is a configuration key with a range that holds its default.</summary>
public sealed class ThresholdSettingsTests
{
    [Theory]
    [InlineData("CpuUtilizationWarningPercent", "cpu_utilization_warning_percent")]
    [InlineData("MaxPValue", "max_p_value")]
    [InlineData("TopConsumers", "top_consumers")]
    [InlineData("DiskAwaitWarningMilliseconds", "disk_await_warning_milliseconds")]
    public void Keys_are_the_property_names_in_snake_case(string property, string key)
    {
        Assert.Equal(key, ThresholdSettings.SnakeCase(property));
    }

    [Fact]
    public void Every_threshold_property_is_a_key_and_its_default_is_in_range()
    {
        var properties = typeof(Thresholds).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.PropertyType != typeof(LeakThresholds)).Select(p => p.Name)
            .Concat(typeof(LeakThresholds).GetProperties().Select(p => "leak." + p.Name))
            .ToList();

        Assert.Equal(properties.Count, ThresholdSettings.All.Count);
        Assert.All(ThresholdSettings.All, s =>
        {
            var value = ThresholdSettings.Value(Thresholds.Default, s.Key);
            Assert.InRange(value, s.Min, s.Max);
        });
    }

    [Fact]
    public void The_defaults_have_every_critical_figure_beyond_its_warning_one()
    {
        Assert.Empty(ThresholdSettings.Inconsistencies(Thresholds.Default));
    }

    [Fact]
    public void Setting_a_leak_threshold_changes_only_it()
    {
        var t = ThresholdSettings.With(Thresholds.Default, "leak.min_span", 120, out var error);

        Assert.Null(error);
        Assert.Equal(Thresholds.Default with { Leak = Thresholds.Default.Leak with { MinSpan = TimeSpan.FromMinutes(2) } }, t);
        Assert.Equal(TimeSpan.FromSeconds(60), Thresholds.Default.Leak.MinSpan);
    }

    [Fact]
    public void A_value_out_of_range_is_refused_with_the_range()
    {
        var t = ThresholdSettings.With(Thresholds.Default, "steal_critical_percent", 101, out var error);

        Assert.Null(t);
        Assert.Equal("must be a number from 0 to 100, got 101.", error);
    }
}
