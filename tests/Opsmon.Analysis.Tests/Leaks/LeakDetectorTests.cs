using Opsmon.Analysis.Leaks;

namespace Opsmon.Analysis.Tests.Leaks;

public sealed class LeakDetectorTests
{
    private static readonly LeakThresholds Thresholds = new();

    private static LeakAssessment Assess(double[] bytes) => LeakDetector.Assess(LeakSeries.Seconds(), bytes, Thresholds);

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public void Leaker_is_flagged_with_its_rate_within_10_percent(double mbPerMinute)
    {
        var a = Assess(LeakSeries.Leaker(mbPerMinute));

        Assert.True(a.IsLeak, a.Reason);
        var truth = mbPerMinute * LeakSeries.MB / 60;
        Assert.InRange(a.BytesPerSecond, truth * 0.9, truth * 1.1);
        Assert.True(a.Confidence > 0.5);
    }

    [Fact]
    public void Leaker_has_grown_for_most_of_the_window()
    {
        var a = Assess(LeakSeries.Leaker(20));

        Assert.InRange(a.GrowingForSeconds, 90, 120);
    }

    [Fact]
    public void Steady_process_is_not_flagged()
    {
        Assert.False(Assess(LeakSeries.Steady()).IsLeak);
    }

    [Fact]
    public void Warm_up_then_plateau_is_not_flagged()
    {
        var a = Assess(LeakSeries.WarmUpThenPlateau());

        Assert.False(a.IsLeak);
        Assert.Contains("plateau", a.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Exponential_warm_up_is_not_flagged()
    {
        Assert.False(Assess(LeakSeries.ExponentialWarmUp()).IsLeak);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(25)]
    [InlineData(33)]
    [InlineData(39)]
    public void Sawtooth_whose_peaks_do_not_rise_is_not_flagged(double periodSeconds)
    {
        var flagged = Enumerable.Range(1, 10).Count(seed => Assess(LeakSeries.Sawtooth(seed, periodSeconds)).IsLeak);

        Assert.Equal(0, flagged);
    }

    [Fact]
    public void Leakers_are_flagged_within_10_percent_for_every_seed()
    {
        var misses = Enumerable.Range(1, 20)
            .Select(seed => Assess(LeakSeries.Leaker(5, seed)))
            .Count(static a => !a.IsLeak || Math.Abs(a.BytesPerSecond - (5e6 / 60)) > 0.1 * 5e6 / 60);

        Assert.Equal(0, misses);
    }

    [Fact]
    public void Sawtooth_riding_on_a_rising_floor_is_flagged()
    {
        var bytes = LeakSeries.Make(static t => (250 * LeakSeries.MB) + (30 * LeakSeries.MB * (t % 25) / 25) + (t * 0.5 * LeakSeries.MB));

        Assert.True(Assess(bytes).IsLeak);
    }

    [Fact]
    public void Pure_noise_is_never_flagged_over_many_seeds()
    {
        var flagged = Enumerable.Range(1, 50).Count(seed => Assess(LeakSeries.Noise(seed)).IsLeak);

        Assert.Equal(0, flagged);
    }

    [Fact]
    public void Growth_slower_than_the_minimum_rate_is_not_flagged()
    {
        var a = Assess(LeakSeries.Make(static t => (300 * LeakSeries.MB) + (t * 5_000), noiseBytes: 10_000));

        Assert.False(a.IsLeak);
        Assert.Contains("minimum rate", a.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_short_history_is_not_judged()
    {
        double[] seconds = [0, 1, 2, 3, 4];
        double[] bytes = [1e6, 2e6, 3e6, 4e6, 5e6];

        Assert.False(LeakDetector.Assess(seconds, bytes, Thresholds).IsLeak);
    }

    [Fact]
    public void Leak_over_a_day_of_history_is_flagged_after_downsampling()
    {
        var rnd = new Random(3);
        var seconds = Enumerable.Range(0, 5760).Select(static i => i * 15.0).ToArray();
        var bytes = seconds.Select(t => (1e9 + (t * 50_000)) + (Support.SyntheticMachine.Gaussian(rnd) * 5e6)).ToArray();

        var a = LeakDetector.Assess(seconds, bytes, Thresholds);

        Assert.True(a.IsLeak, a.Reason);
        Assert.InRange(a.BytesPerSecond, 45_000, 55_000);
    }
}
