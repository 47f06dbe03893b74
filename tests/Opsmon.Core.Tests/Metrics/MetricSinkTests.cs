using Opsmon.Core.Metrics;

namespace Opsmon.Core.Tests.Metrics;

public sealed class MetricSinkTests
{
    [Fact]
    public void AddRange_takes_new_families_over_and_merges_those_it_has_in_order()
    {
        var sink = new MetricSink();
        sink.Family("shared", "h", MetricType.Gauge, "k").Add(1, "a");
        var other = new MetricSink();
        var moved = other.Family("fresh", "h", MetricType.Counter, "x").Add(5, "y");
        other.Family("shared", "h", MetricType.Gauge, "k").Add(2, "b");

        sink.AddRange(other);

        Assert.Equal(["shared", "fresh"], sink.Families.Select(f => f.Name));
        Assert.Same(moved, sink.Families[1]);
        Assert.Equal([("a", 1.0), ("b", 2.0)], sink.Families[0].Samples.Select(s => (s.LabelValues[0], s.Value)));
        Assert.Empty(other.Families); // spent: a family now belongs to one sink only
    }

    [Fact]
    public void AddRange_still_rejects_a_family_redeclared_with_other_labels()
    {
        var sink = new MetricSink();
        sink.Family("m", "h", MetricType.Gauge, "k");
        var other = new MetricSink();
        other.Family("m", "h", MetricType.Gauge, "other");

        Assert.Throws<InvalidOperationException>(() => sink.AddRange(other));
    }
}
