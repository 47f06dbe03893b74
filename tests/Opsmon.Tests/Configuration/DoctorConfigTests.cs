using Opsmon.Analysis;
using Opsmon.Configuration;

namespace Opsmon.Tests.Configuration;

/// <summary>The config's <c>doctor:</c> section: any threshold by its snake_case name, checked with file, line and key.</summary>
public sealed class DoctorConfigTests
{
    private const string File = "/etc/opsmon/opsmon.yml";

    private static string Error(string yaml) => ConfigText.Error(yaml, File);

    [Fact]
    public void Without_a_doctor_section_the_thresholds_are_the_defaults()
    {
        var config = ConfigLoader.Parse("interval: 5s\n", File).Config!;

        Assert.Null(config.DoctorThresholds);
    }

    [Fact]
    public void Thresholds_given_override_the_defaults_and_leave_the_rest()
    {
        var config = ConfigLoader.Parse("""
            doctor:
              cpu_utilization_warning_percent: 85
              top_consumers: 3
              filesystem_full_warning: 12h
              leak:
                max_p_value: 0.001
                min_span: 2m
                min_samples: 30
            """, File).Config!;

        var t = Assert.IsType<Thresholds>(config.DoctorThresholds);
        Assert.Equal(85, t.CpuUtilizationWarningPercent);
        Assert.Equal(3, t.TopConsumers);
        Assert.Equal(TimeSpan.FromHours(12), t.FilesystemFullWarning);
        Assert.Equal(0.001, t.Leak.MaxPValue);
        Assert.Equal(TimeSpan.FromMinutes(2), t.Leak.MinSpan);
        Assert.Equal(30, t.Leak.MinSamples);
        Assert.Equal(Thresholds.Default with
        {
            CpuUtilizationWarningPercent = 85,
            TopConsumers = 3,
            FilesystemFullWarning = TimeSpan.FromHours(12),
            Leak = Thresholds.Default.Leak with { MaxPValue = 0.001, MinSpan = TimeSpan.FromMinutes(2), MinSamples = 30 },
        }, t);
    }

    [Fact]
    public void A_percentage_out_of_range_names_the_line_the_key_and_the_valid_range()
    {
        var error = Error("""
            interval: 15s
            doctor:
              cpu_utilization_warning_percent: 150
            """);

        Assert.StartsWith($"{File}:3:3: doctor.cpu_utilization_warning_percent: must be a number from 0 to 100, got 150.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_threshold_is_an_error_with_its_line_listing_the_known_ones()
    {
        var error = Error("""
            doctor:
              cpu_utilization_warning_percent: 80
              cpu_utilisation_critical_percent: 95
            """);

        Assert.StartsWith($"{File}:3:3: doctor.cpu_utilisation_critical_percent: unknown threshold. Known: top_consumers, cpu_utilization_warning_percent,", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_leak_threshold_is_an_error_at_its_line()
    {
        var error = Error("""
            doctor:
              leak:
                min_span: 2m
                max_pvalue: 0.01
            """);

        Assert.StartsWith($"{File}:4:5: doctor.leak.max_pvalue: unknown threshold. Known: max_p_value,", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_not_a_number_is_an_error_saying_what_is_valid()
    {
        var error = Error("""
            doctor:
              disk_await_warning_milliseconds: fast
            """);

        Assert.Equal($"{File}:2:3: doctor.disk_await_warning_milliseconds: 'fast' is not a number from 0 to 1000000.", error);
    }

    [Fact]
    public void A_bad_duration_is_an_error_saying_what_is_valid()
    {
        var error = Error("""
            doctor:
              memory_exhausted_critical: 30 minutes
            """);

        Assert.Equal($"{File}:2:3: doctor.memory_exhausted_critical: '30 minutes' is not a duration from 1m to 365d (for example 30m).", error);
    }

    [Fact]
    public void A_fractional_count_is_an_error()
    {
        var error = Error("""
            doctor:
              top_consumers: 2.5
            """);

        Assert.Equal($"{File}:2:3: doctor.top_consumers: must be an integer from 1 to 100, got 2.5.", error);
    }

    [Fact]
    public void A_critical_figure_short_of_its_warning_one_is_an_error_at_the_critical_key()
    {
        var error = Error("""
            doctor:
              cpu_utilization_warning_percent: 95
              cpu_utilization_critical_percent: 90
            """);

        Assert.Equal($"{File}:3:3: doctor.cpu_utilization_critical_percent: must be at least cpu_utilization_warning_percent (95), as more is worse; got 90.", error);
    }

    [Fact]
    public void Where_less_is_worse_the_critical_figure_must_be_below_the_warning_one()
    {
        var error = Error("""
            doctor:
              memory_available_critical_percent: 20
            """);

        Assert.Equal($"{File}:2:3: doctor.memory_available_critical_percent: must be at most memory_available_warning_percent (10), as less is worse; got 20.", error);
    }

    [Fact]
    public void Leak_must_be_a_map()
    {
        var error = Error("""
            doctor:
              leak: 5
            """);

        Assert.StartsWith($"{File}:2:3: doctor.leak: must be a map", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_of_the_section_is_reported_at_once()
    {
        var error = Error("""
            doctor:
              steal_warning_percent: -1
              zombies_critical: many
            """);

        Assert.Contains(":2:3: doctor.steal_warning_percent:", error, StringComparison.Ordinal);
        Assert.Contains(":3:3: doctor.zombies_critical:", error, StringComparison.Ordinal);
    }
}
