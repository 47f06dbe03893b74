using Opsmon.Core.Series;

namespace Opsmon.Analysis.Tests.Support;

/// <summary>An in-memory <see cref="IQuerier"/> over series written by the test, with a small builder.</summary>
internal sealed class SyntheticQuerier : IQuerier
{
    private readonly List<(Labels Labels, long[] T, double[] V)> _series = [];

    public SyntheticQuerier(long startMs = 1_700_000_000_000, long stepMs = 1000, int samples = 120)
    {
        StartMs = startMs;
        StepMs = stepMs;
        Samples = samples;
    }

    public long StartMs { get; }

    public long StepMs { get; }

    public int Samples { get; }

    public long EndMs => StartMs + ((Samples - 1) * StepMs);

    /// <summary>A series with one value per step from the start: value(i) for sample i.</summary>
    public SyntheticQuerier Series(string name, Func<int, double> value, params (string Name, string Value)[] labels)
    {
        var t = new long[Samples];
        var v = new double[Samples];
        for (var i = 0; i < Samples; i++)
        {
            t[i] = StartMs + (i * StepMs);
            v[i] = value(i);
        }

        return Add(name, t, v, labels);
    }

    public SyntheticQuerier Gauge(string name, double value, params (string Name, string Value)[] labels) =>
        Series(name, _ => value, labels);

    /// <summary>A counter that starts at <paramref name="start"/> and grows at <paramref name="perSecond"/>.</summary>
    public SyntheticQuerier Counter(string name, double perSecond, double start = 1000, params (string Name, string Value)[] labels) =>
        Series(name, i => start + (perSecond * i * StepMs / 1000.0), labels);

    public SyntheticQuerier Add(string name, long[] timestamps, double[] values, params (string Name, string Value)[] labels)
    {
        var all = labels.Append((Labels.MetricName, name)).ToArray();
        _series.Add((Labels.From(all), timestamps, values));
        return this;
    }

    public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        _series
            .Where(s => matchers.All(m => m.Matches(s.Labels.Get(m.Name))))
            .Select(s => Slice(s, mint, maxt))
            .Where(static s => s.T.Length > 0)
            .OrderBy(static s => s.Labels)
            .Select(static s => (IStoredSeries)new Stored(s.Labels, s.T, s.V));

    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(mint, maxt, matchers).SelectMany(static s => s.Labels.AsSpan().ToArray().Select(static l => l.Name)).Distinct().Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        [.. Select(mint, maxt, matchers).Select(s => s.Labels.Get(name)).Where(static v => v.Length > 0).Distinct().Order(StringComparer.Ordinal)];

    private static (Labels Labels, long[] T, double[] V) Slice((Labels Labels, long[] T, double[] V) s, long mint, long maxt)
    {
        if (s.T.Length == 0 || (s.T[0] >= mint && s.T[^1] <= maxt))
        {
            return s;
        }

        var idx = Enumerable.Range(0, s.T.Length).Where(i => s.T[i] >= mint && s.T[i] <= maxt).ToArray();
        return (s.Labels, [.. idx.Select(i => s.T[i])], [.. idx.Select(i => s.V[i])]);
    }

    private sealed class Stored(Labels labels, long[] t, double[] v) : IStoredSeries
    {
        public Labels Labels => labels;

        public ISampleIterator Samples() => new Iterator(t, v);
    }

    private sealed class Iterator(long[] t, double[] v) : ISampleIterator
    {
        private int _i = -1;

        public bool MoveNext() => ++_i < t.Length;

        public long Timestamp => t[_i];

        public double Value => v[_i];
    }
}
