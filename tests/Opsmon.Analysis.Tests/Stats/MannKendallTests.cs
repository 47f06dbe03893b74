using Opsmon.Analysis.Stats;

namespace Opsmon.Analysis.Tests.Stats;

public sealed class MannKendallTests
{
    [Fact]
    public void Strictly_increasing_series_has_maximal_S_and_a_small_p_value()
    {
        var y = Enumerable.Range(1, 10).Select(static i => (double)i).ToArray();

        var r = MannKendall.Test(y);

        Assert.Equal(45, r.S);
        Assert.Equal(125, r.Variance, 9);
        Assert.Equal(44 / Math.Sqrt(125), r.Z, 9);
        Assert.Equal(8.3e-5, r.PValue, 5);
        Assert.Equal(1, r.Tau, 9);
    }

    [Fact]
    public void Decreasing_series_has_negative_S_and_z()
    {
        var r = MannKendall.Test([5, 4, 3, 2, 1]);

        Assert.Equal(-10, r.S);
        Assert.True(r.Z < 0);
    }

    [Fact]
    public void Ties_reduce_the_variance()
    {
        // n = 4 gives 4·3·13/18; one tie group of two removes 2·1·9/18 = 1.
        var r = MannKendall.Test([1, 2, 2, 3]);

        Assert.Equal(5, r.S);
        Assert.Equal((156.0 / 18) - 1, r.Variance, 9);
    }

    [Fact]
    public void Constant_series_has_no_trend()
    {
        var r = MannKendall.Test([7, 7, 7, 7, 7, 7]);

        Assert.Equal(0, r.S);
        Assert.Equal(1, r.PValue);
    }

    [Fact]
    public void White_noise_is_not_significant()
    {
        var rnd = new Random(11);
        var y = Enumerable.Range(0, 120).Select(_ => rnd.NextDouble()).ToArray();

        Assert.True(MannKendall.Test(y).PValue > 0.05);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.959964, 0.025)]
    [InlineData(-1, 0.841345)]
    [InlineData(3, 0.0013499)]
    public void Normal_upper_tail_matches_tables(double z, double expected)
    {
        Assert.Equal(expected, NormalDistribution.UpperTail(z), 6);
    }
}
