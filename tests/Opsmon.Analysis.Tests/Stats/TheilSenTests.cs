using Opsmon.Analysis.Stats;

namespace Opsmon.Analysis.Tests.Stats;

public sealed class TheilSenTests
{
    [Fact]
    public void Slope_of_an_exact_line_is_its_gradient()
    {
        double[] x = [0, 1, 2, 3, 4, 5];
        var y = x.Select(static v => 3 + (2.5 * v)).ToArray();

        Assert.Equal(2.5, TheilSen.Slope(x, y), 12);
        Assert.Equal(3, TheilSen.Intercept(x, y, 2.5), 12);
    }

    [Fact]
    public void Slope_ignores_a_fifth_of_wild_outliers()
    {
        var x = Enumerable.Range(0, 50).Select(static i => (double)i).ToArray();
        var y = x.Select(static (v, i) => i % 5 == 0 ? 1e6 : 10 + v).ToArray();

        Assert.Equal(1, TheilSen.Slope(x, y), 6);
    }

    [Fact]
    public void Slope_of_fewer_than_two_points_is_nan()
    {
        Assert.True(double.IsNaN(TheilSen.Slope([1.0], [1.0])));
    }

    [Fact]
    public void Downsampled_slope_of_a_long_line_stays_exact()
    {
        var x = Enumerable.Range(0, 5760).Select(static i => i * 15.0).ToArray();
        var y = x.Select(static v => 1e9 - (1000 * v)).ToArray();

        var (xs, ys) = Downsample.Buckets(x, y);

        Assert.Equal(Downsample.DefaultMaxPoints, xs.Length);
        Assert.Equal(-1000, TheilSen.Slope(xs, ys), 6);
    }

    [Fact]
    public void Downsample_keeps_short_series_unchanged()
    {
        double[] x = [1, 2, 3];
        double[] y = [4, 5, 6];

        var (xs, ys) = Downsample.Buckets(x, y);

        Assert.Equal(x, xs);
        Assert.Equal(y, ys);
    }
}
