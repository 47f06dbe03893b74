using Opsmon.Core.Series;
using Opsmon.Storage.Index;

namespace Opsmon.Storage.Tests.Index;

public sealed class MemPostingsTests
{
    private readonly MemPostings _postings = new();

    [Fact]
    public void Label_sets_added_later_share_the_strings_of_earlier_ones()
    {
        var first = _postings.Add(1, Fresh(("__name__", "up"), ("job", "node"), ("instance", "a")));

        var second = _postings.Add(2, Fresh(("__name__", "up"), ("job", "node"), ("instance", "b")));

        Assert.Equal(Fresh(("__name__", "up"), ("job", "node"), ("instance", "b")), second);
        for (var i = 0; i < second.Count; i++)
        {
            Assert.Same(first[i].Name, second[i].Name);
        }

        Assert.Same(first.Get("job"), second.Get("job"));
        Assert.Same(first.Name, second.Name);
    }

    [Fact]
    public void A_label_set_already_made_of_indexed_strings_is_kept_as_it_is()
    {
        var first = _postings.Add(1, Fresh(("__name__", "up"), ("job", "node")));
        var same = Labels.From(first.AsSpan().ToArray());

        Assert.Same(same, _postings.Add(2, same));
    }

    [Fact]
    public void Removed_series_leave_no_values_behind()
    {
        _postings.Add(1, Fresh(("__name__", "up"), ("job", "node")));
        _postings.Add(2, Fresh(("__name__", "up"), ("job", "api")));

        _postings.Remove(new HashSet<ulong> { 1 });

        Assert.Equal(["api"], _postings.ValuesOf("job"));
        Assert.Equal([2UL], _postings.Postings("__name__", "up"));
        Assert.Equal([2UL], _postings.AllPostings());
    }

    /// <summary>A label set of new string instances, as a decoder produces for each request.</summary>
    private static Labels Fresh(params (string Name, string Value)[] labels) =>
        Labels.From(labels.Select(l => new Label(new string(l.Name.AsSpan()), new string(l.Value.AsSpan()))));
}
