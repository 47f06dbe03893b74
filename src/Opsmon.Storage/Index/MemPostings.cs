using Opsmon.Core.Series;

namespace Opsmon.Storage.Index;

/// <summary>
/// The head's inverted index: label name → value → sorted series refs. Refs are handed out in increasing
/// order, so adding keeps every list sorted. Not thread-safe: the head guards it.
/// </summary>
internal sealed class MemPostings : IPostingsIndex
{
    private readonly Dictionary<string, Dictionary<string, List<ulong>>> _postings = new(StringComparer.Ordinal);
    private readonly List<ulong> _all = [];

    public void Add(ulong seriesRef, Labels labels)
    {
        foreach (var label in labels.AsSpan())
        {
            if (!_postings.TryGetValue(label.Name, out var values))
            {
                values = new Dictionary<string, List<ulong>>(StringComparer.Ordinal);
                _postings[label.Name] = values;
            }

            if (!values.TryGetValue(label.Value, out var list))
            {
                list = [];
                values[label.Value] = list;
            }

            Insert(list, seriesRef);
        }

        Insert(_all, seriesRef);
    }

    /// <summary>Removes the given refs everywhere, dropping empty values and names.</summary>
    public void Remove(IReadOnlySet<ulong> refs)
    {
        if (refs.Count == 0)
        {
            return;
        }

        _all.RemoveAll(refs.Contains);
        foreach (var (name, values) in _postings.ToList())
        {
            foreach (var (value, list) in values.ToList())
            {
                list.RemoveAll(refs.Contains);
                if (list.Count == 0)
                {
                    values.Remove(value);
                }
            }

            if (values.Count == 0)
            {
                _postings.Remove(name);
            }
        }
    }

    public IReadOnlyList<ulong> AllPostings() => [.. _all];

    public IReadOnlyCollection<string> ValuesOf(string name) =>
        _postings.TryGetValue(name, out var values) ? [.. values.Keys] : [];

    public IReadOnlyList<ulong> Postings(string name, string value) =>
        _postings.TryGetValue(name, out var values) && values.TryGetValue(value, out var list) ? [.. list] : [];

    public IReadOnlyCollection<string> Names() => [.. _postings.Keys];

    private static void Insert(List<ulong> list, ulong seriesRef)
    {
        // Replay from a checkpoint can add refs out of order; keep the list sorted either way.
        if (list.Count == 0 || list[^1] < seriesRef)
        {
            list.Add(seriesRef);
            return;
        }

        var index = list.BinarySearch(seriesRef);
        if (index < 0)
        {
            list.Insert(~index, seriesRef);
        }
    }
}
