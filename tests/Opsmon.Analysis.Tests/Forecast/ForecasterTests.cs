using Opsmon.Analysis.Data;
using Opsmon.Analysis.Forecast;
using Opsmon.Core.Series;

namespace Opsmon.Analysis.Tests.Forecast;

public sealed class ForecasterTests
{
    private static SeriesPoints Line(int samples, long stepMs, double start, double perSecond, double noise = 0)
    {
        var rnd = new Random(5);
        var t = Enumerable.Range(0, samples).Select(i => i * stepMs).ToArray();
        var v = t.Select(ms => start + (perSecond * ms / 1000.0) + (Support.SyntheticMachine.Gaussian(rnd) * noise)).ToArray();
        return new SeriesPoints(Labels.From(("mountpoint", "/data")), t, v);
    }

    [Fact]
    public void Filesystem_losing_space_steadily_is_full_when_the_line_reaches_zero()
    {
        // A day at 15 s; 5 GB left at the end, losing 50 kB/s.
        var fs = Line(5760, 15_000, 5e9 + (50_000.0 * 86_385), -50_000, noise: 20e6);

        var f = Forecaster.Exhaustion("filesystem:/data", "/data", fs, 0)!;

        Assert.Equal(5e9 / 50_000, f.SecondsUntilExhausted!.Value, 5e9 / 50_000 * 0.05);
        Assert.Equal(50_000, f.ConsumptionBytesPerSecond, 2_500.0);
        Assert.True(f.Confidence > 0.99);
    }

    [Fact]
    public void Filesystem_that_is_freed_has_no_time_to_full()
    {
        var f = Forecaster.Exhaustion("filesystem:/data", "/data", Line(300, 1000, 1e9, 1000), 0)!;

        Assert.Null(f.SecondsUntilExhausted);
        Assert.True(f.ConsumptionBytesPerSecond < 0);
    }

    [Fact]
    public void Forecast_far_beyond_the_history_has_low_confidence()
    {
        // Five minutes of history, full in about a day.
        var f = Forecaster.Exhaustion("memory", null, Line(300, 1000, 8.64e9, -100_000), 0)!;

        Assert.True(f.Confidence < 0.1);
    }

    [Fact]
    public void Confidence_is_one_minus_p_within_ten_times_the_history()
    {
        Assert.Equal(0.99, RobustTrend.Confidence(0.01, 100, 1000), 9);
        Assert.Equal(0.495, RobustTrend.Confidence(0.01, 100, 2000), 9);
    }
}
