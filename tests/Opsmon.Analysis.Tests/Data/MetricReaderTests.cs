using Opsmon.Analysis.Data;
using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Data;

public sealed class MetricReaderTests
{
    [Fact]
    public void Series_scraped_together_share_one_time_axis_and_keep_their_own_values()
    {
        var q = new SyntheticQuerier(samples: 10)
            .Gauge("m", 1, ("pid", "1"))
            .Gauge("m", 2, ("pid", "2"))
            .Add("m", [At(0), At(5)], [7, 8], ("pid", "3"));
        var reader = new MetricReader(q, q.StartMs, q.EndMs);

        var series = reader.Series("m");

        Assert.Same(series[0].Timestamps, series[1].Timestamps);
        Assert.NotSame(series[1].Timestamps, series[2].Timestamps);
        Assert.Equal([At(0), At(5)], series[2].Timestamps);
        Assert.All(series[0].Values, static v => Assert.Equal(1, v));
        Assert.All(series[1].Values, static v => Assert.Equal(2, v));

        static long At(int i) => 1_700_000_000_000 + (i * 1000L);
    }
}
