using Opsmon.Core.Series;

namespace Opsmon.Query.PromqlTest;

/// <summary>An in-memory store for test scripts: each series keeps its samples sorted by time. What <c>load</c> writes.</summary>
public sealed class MemoryStorage : IQuerier, IAppender
{
    private readonly Dictionary<Labels, SortedList<long, double>> _series = [];

    public void Append(Labels labels, long timestamp, double value)
    {
        if (!_series.TryGetValue(labels, out var samples))
        {
            samples = [];
            _series[labels] = samples;
        }

        samples[timestamp] = value;
    }

    public void Commit()
    {
    }

    public void Clear() => _series.Clear();

    public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var result = new List<IStoredSeries>();
        foreach (var (labels, samples) in _series)
        {
            if (!MatchesAll(labels, matchers))
            {
                continue;
            }

            var points = samples.Where(kv => kv.Key >= mint && kv.Key <= maxt).ToArray();
            if (points.Length > 0)
            {
                result.Add(new StoredSeries(labels, points));
            }
        }

        result.Sort(static (a, b) => a.Labels.CompareTo(b.Labels));
        return result;
    }

    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(mint, maxt, matchers).SelectMany(static s => s.Labels.AsSpan().ToArray().Select(static l => l.Name)).Distinct().Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(mint, maxt, matchers).Select(s => s.Labels.Get(name)).Where(static v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)];

    private static bool MatchesAll(Labels labels, IReadOnlyList<LabelMatcher> matchers)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels.Get(m.Name)))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class StoredSeries(Labels labels, KeyValuePair<long, double>[] samples) : IStoredSeries
    {
        public Labels Labels { get; } = labels;

        public ISampleIterator Samples() => new Iterator(samples);
    }

    private sealed class Iterator(KeyValuePair<long, double>[] samples) : ISampleIterator
    {
        private int _index = -1;

        public bool MoveNext() => ++_index < samples.Length;

        public long Timestamp => samples[_index].Key;

        public double Value => samples[_index].Value;
    }
}
