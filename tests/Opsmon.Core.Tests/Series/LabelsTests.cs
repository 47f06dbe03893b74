using Opsmon.Core.Series;

namespace Opsmon.Core.Tests.Series;

public sealed class LabelsTests
{
    [Fact]
    public void Labels_are_sorted_by_name_and_equal_by_content()
    {
        var a = Labels.From(("job", "node"), ("__name__", "up"), ("instance", "x"));
        var b = Labels.From(("instance", "x"), ("job", "node"), ("__name__", "up"));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(["__name__", "instance", "job"], a.AsSpan().ToArray().Select(l => l.Name));
    }

    [Fact]
    public void Empty_values_are_dropped_as_Prometheus_treats_them_as_absent()
    {
        var labels = Labels.From(("__name__", "up"), ("job", ""));

        Assert.Equal(1, labels.Count);
        Assert.False(labels.Has("job"));
    }

    [Fact]
    public void ToString_escapes_like_PromQL()
    {
        var labels = Labels.From(("__name__", "m"), ("path", "a\"b\\c\nd"));

        Assert.Equal("m{path=\"a\\\"b\\\\c\\nd\"}", labels.ToString());
    }

    [Theory]
    [InlineData(MatcherType.Equal, "a", "a", true)]
    [InlineData(MatcherType.NotEqual, "a", "a", false)]
    [InlineData(MatcherType.Regex, "a.*", "abc", true)]
    [InlineData(MatcherType.Regex, "b", "abc", false)]
    [InlineData(MatcherType.NotRegex, "a|b", "c", true)]
    [InlineData(MatcherType.Regex, ".*", "", true)]
    public void Matchers_are_fully_anchored(MatcherType type, string pattern, string value, bool expected)
    {
        Assert.Equal(expected, new LabelMatcher(type, "l", pattern).Matches(value));
    }

    [Fact]
    public void Stale_marker_is_a_distinct_NaN()
    {
        Assert.True(double.IsNaN(StaleNaN.Value));
        Assert.True(StaleNaN.Is(StaleNaN.Value));
        Assert.False(StaleNaN.Is(double.NaN));
    }
}
