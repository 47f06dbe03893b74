using Opsmon.Core.Series;

namespace Opsmon.Storage.Index;

/// <summary>
/// The head's inverted index: label name → value → sorted series refs. Refs are handed out in increasing
/// order, so adding keeps every list sorted. It also keeps the one copy of each name and value string that the
/// head's label sets share (see <see cref="Add"/>). Not thread-safe: the head guards it.
/// </summary>
internal sealed class MemPostings : IPostingsIndex
{
    // Each entry keeps its key's string instance beside it: a Dictionary cannot hand back the key it stored.
    private readonly Dictionary<string, (string Name, Dictionary<string, (string Value, List<ulong> Refs)> Values)> _postings = new(StringComparer.Ordinal);
    private readonly List<ulong> _all = [];

    /// <summary>
    /// Indexes <paramref name="labels"/> under <paramref name="seriesRef"/> and returns the same label set made of
    /// the index's strings (the argument itself when it already is), for the head to keep instead: strings decoded
    /// from each request or scrape are otherwise held once per series.
    /// </summary>
    public Labels Add(ulong seriesRef, Labels labels)
    {
        var span = labels.AsSpan();
        Label[]? shared = null;
        for (var i = 0; i < span.Length; i++)
        {
            var label = span[i];
            if (!_postings.TryGetValue(label.Name, out var name))
            {
                name = (label.Name, new Dictionary<string, (string, List<ulong>)>(StringComparer.Ordinal));
                _postings[label.Name] = name;
            }

            if (!name.Values.TryGetValue(label.Value, out var value))
            {
                value = (label.Value, []);
                name.Values[label.Value] = value;
            }

            Insert(value.Refs, seriesRef);
            if (!ReferenceEquals(name.Name, label.Name) || !ReferenceEquals(value.Value, label.Value))
            {
                shared ??= span.ToArray();
                shared[i] = new Label(name.Name, value.Value);
            }
        }

        Insert(_all, seriesRef);
        return shared is null ? labels : Labels.From(shared);
    }

    /// <summary>Removes the given refs everywhere, dropping empty values and names.</summary>
    public void Remove(IReadOnlySet<ulong> refs)
    {
        if (refs.Count == 0)
        {
            return;
        }

        _all.RemoveAll(refs.Contains);
        foreach (var (name, entry) in _postings.ToList())
        {
            foreach (var (value, list) in entry.Values.ToList())
            {
                list.Refs.RemoveAll(refs.Contains);
                if (list.Refs.Count == 0)
                {
                    entry.Values.Remove(value);
                }
            }

            if (entry.Values.Count == 0)
            {
                _postings.Remove(name);
            }
        }
    }

    public IReadOnlyList<ulong> AllPostings() => [.. _all];

    public IReadOnlyCollection<string> ValuesOf(string name) =>
        _postings.TryGetValue(name, out var entry) ? [.. entry.Values.Keys] : [];

    public IReadOnlyList<ulong> Postings(string name, string value) =>
        _postings.TryGetValue(name, out var entry) && entry.Values.TryGetValue(value, out var list) ? [.. list.Refs] : [];

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
