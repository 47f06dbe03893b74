using Opsmon.Analysis.Stats;

namespace Opsmon.Analysis.Tests.Stats;

public sealed class QuantilesTests
{
    [Fact]
    public void Median_of_odd_count_is_the_middle_value()
    {
        Assert.Equal(3, Quantiles.Median([5, 1, 3, 9, 2]));
    }

    [Fact]
    public void Median_of_even_count_averages_the_two_middle_values()
    {
        Assert.Equal(3.5, Quantiles.Median([6, 1, 3, 4, 9, 2]));
    }

    [Fact]
    public void Median_handles_many_duplicates()
    {
        var values = Enumerable.Repeat(4.0, 100).Concat(Enumerable.Repeat(1.0, 3)).ToArray();

        Assert.Equal(4, Quantiles.Median(values));
    }

    [Fact]
    public void Quantile_uses_the_nearest_rank()
    {
        var values = Enumerable.Range(0, 101).Select(static i => (double)(100 - i)).ToArray();

        Assert.Equal(10, Quantiles.Quantile(values, 0.1));
    }
}
