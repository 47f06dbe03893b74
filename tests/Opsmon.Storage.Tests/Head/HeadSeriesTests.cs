using Opsmon.Core.Series;

namespace Opsmon.Storage.Tests.Head;

public sealed class HeadSeriesTests
{
    [Fact]
    public void A_new_series_keeps_the_label_strings_the_head_already_holds()
    {
        var head = new Storage.Head.Head(2 * Data.Hour);
        var first = head.GetOrCreate(Fresh("a"), out _);

        var second = head.GetOrCreate(Fresh("b"), out var created);

        Assert.True(created);
        Assert.Equal("b", second.Labels.Get("instance"));
        Assert.Same(first.Labels.Name, second.Labels.Name);
        Assert.Same(first.Labels.Get("job"), second.Labels.Get("job"));
    }

    [Fact]
    public void Series_are_found_again_by_labels_made_of_other_strings()
    {
        var head = new Storage.Head.Head(2 * Data.Hour);
        var series = head.GetOrCreate(Fresh("a"), out _);

        Assert.Same(series, head.GetOrCreate(Fresh("a"), out var created));
        Assert.False(created);
        Assert.Same(series, head.Get(series.Ref));
    }

    /// <summary>A label set of new string instances, as a decoder produces for each request.</summary>
    private static Labels Fresh(string instance) =>
        Labels.From(new[] { (Labels.MetricName, "up"), ("job", "node"), ("instance", instance) }
            .Select(l => new Label(new string(l.Item1.AsSpan()), new string(l.Item2.AsSpan()))));
}
