using Opsmon.Core.Series;

namespace Opsmon.Storage.Index;

/// <summary>Set operations over sorted postings lists and the matcher-to-postings plan Prometheus uses.</summary>
internal static class Postings
{
    /// <summary>
    /// Series refs matching all matchers. A matcher that rejects the empty string narrows by the union of
    /// the postings of the values it accepts; one that accepts it (so also series lacking the label) removes
    /// the postings of the values it rejects, starting from all series when no matcher narrows.
    /// </summary>
    public static IReadOnlyList<ulong> Select(IPostingsIndex index, IReadOnlyList<LabelMatcher> matchers)
    {
        IReadOnlyList<ulong>? result = null;
        List<IReadOnlyList<ulong>>? exclusions = null;
        foreach (var matcher in matchers.OrderBy(m => m.MatchesEmpty ? 1 : 0))
        {
            if (matcher.MatchesEmpty)
            {
                var rejected = Union(index.ValuesOf(matcher.Name).Where(v => !matcher.Matches(v)).Select(v => index.Postings(matcher.Name, v)));
                (exclusions ??= []).Add(rejected);
                continue;
            }

            var accepted = matcher.Type == MatcherType.Equal
                ? index.Postings(matcher.Name, matcher.Value)
                : Union(index.ValuesOf(matcher.Name).Where(matcher.Matches).Select(v => index.Postings(matcher.Name, v)));
            result = result is null ? accepted : Intersect(result, accepted);
            if (result.Count == 0)
            {
                return result;
            }
        }

        result ??= index.AllPostings();
        if (exclusions is not null)
        {
            foreach (var exclusion in exclusions)
            {
                result = Subtract(result, exclusion);
            }
        }

        return result;
    }

    public static IReadOnlyList<ulong> Intersect(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b)
    {
        var result = new List<ulong>(Math.Min(a.Count, b.Count));
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            if (a[i] < b[j])
            {
                i++;
            }
            else if (a[i] > b[j])
            {
                j++;
            }
            else
            {
                result.Add(a[i]);
                i++;
                j++;
            }
        }

        return result;
    }

    public static IReadOnlyList<ulong> Subtract(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b)
    {
        if (b.Count == 0)
        {
            return a;
        }

        var result = new List<ulong>(a.Count);
        var j = 0;
        foreach (var r in a)
        {
            while (j < b.Count && b[j] < r)
            {
                j++;
            }

            if (j >= b.Count || b[j] != r)
            {
                result.Add(r);
            }
        }

        return result;
    }

    public static IReadOnlyList<ulong> Union(IEnumerable<IReadOnlyList<ulong>> lists)
    {
        List<ulong>? all = null;
        IReadOnlyList<ulong>? single = null;
        var count = 0;
        foreach (var list in lists)
        {
            count++;
            if (count == 1)
            {
                single = list;
                continue;
            }

            all ??= [.. single!];
            all.AddRange(list);
        }

        if (all is null)
        {
            return single ?? [];
        }

        all.Sort();
        var write = 0;
        for (var i = 0; i < all.Count; i++)
        {
            if (i == 0 || all[i] != all[write - 1])
            {
                all[write++] = all[i];
            }
        }

        all.RemoveRange(write, all.Count - write);
        return all;
    }
}
