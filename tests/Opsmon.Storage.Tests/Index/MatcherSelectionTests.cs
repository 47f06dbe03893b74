using Opsmon.Core.Series;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Index;

public sealed class MatcherSelectionTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Tsdb _tsdb;

    public MatcherSelectionTests()
    {
        _tsdb = Tsdb.Open(new TsdbOptions(_dir.Path) { WalSync = Opsmon.Storage.Wal.WalSyncMode.Never });
        var appender = _tsdb.Appender();
        appender.Append(Series("up", ("job", "node"), ("instance", "a")), 1000, 1);
        appender.Append(Series("up", ("job", "node"), ("instance", "b")), 1000, 1);
        appender.Append(Series("up", ("job", "api")), 1000, 0);
        appender.Append(Series("cpu", ("mode", "idle")), 1000, 5);
        appender.Commit();
    }

    public void Dispose()
    {
        _tsdb.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Equal_matchers_intersect()
    {
        Assert.Equal(["up{instance=\"a\", job=\"node\"}"], Names(LabelMatcher.Equal("__name__", "up"), LabelMatcher.Equal("instance", "a")));
    }

    [Fact]
    public void Not_equal_also_selects_series_lacking_the_label()
    {
        Assert.Equal(["up{instance=\"b\", job=\"node\"}", "up{job=\"api\"}"], Names(LabelMatcher.Equal("__name__", "up"), new LabelMatcher(MatcherType.NotEqual, "instance", "a")));
    }

    [Fact]
    public void Regex_is_anchored_and_unions_matching_values()
    {
        Assert.Empty(Names(new LabelMatcher(MatcherType.Regex, "job", "ap")));
        Assert.Equal(["up{job=\"api\"}"], Names(new LabelMatcher(MatcherType.Regex, "job", "ap.*")));
        Assert.Equal(3, Names(new LabelMatcher(MatcherType.Regex, "job", "api|node")).Count);
    }

    [Fact]
    public void Not_regex_excludes_matching_values_only()
    {
        Assert.Equal(["cpu{mode=\"idle\"}", "up{job=\"api\"}"], Names(new LabelMatcher(MatcherType.NotRegex, "job", "no.*")));
    }

    [Fact]
    public void Matcher_on_empty_value_selects_series_lacking_the_label()
    {
        Assert.Equal(["up{job=\"api\"}"], Names(LabelMatcher.Equal("__name__", "up"), LabelMatcher.Equal("instance", "")));
    }

    [Fact]
    public void Select_returns_series_sorted_by_labels_and_only_within_the_range()
    {
        var all = Names(new LabelMatcher(MatcherType.Regex, "__name__", ".+"));
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Empty(_tsdb.Select(2000, 3000, [new LabelMatcher(MatcherType.Regex, "__name__", ".+")]));
    }

    [Fact]
    public void Label_names_and_values_are_sorted_and_restricted_by_matchers()
    {
        Assert.Equal(["__name__", "instance", "job", "mode"], _tsdb.LabelNames(0, 2000, []));
        Assert.Equal(["api", "node"], _tsdb.LabelValues("job", 0, 2000, []));
        Assert.Equal(["a", "b"], _tsdb.LabelValues("instance", 0, 2000, [LabelMatcher.Equal("job", "node")]));
    }

    private List<string> Names(params LabelMatcher[] matchers) =>
        [.. _tsdb.Select(0, 2000, matchers).Select(s => s.Labels.ToString())];
}
