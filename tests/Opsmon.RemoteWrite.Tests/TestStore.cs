using Opsmon.Core.Series;

namespace Opsmon.RemoteWrite.Tests;

/// <summary>A few fixed series behind IQuerier, for driving the sender.</summary>
internal sealed class TestStore : IQuerier
{
    private readonly List<(Labels Labels, List<(long T, double V)> Samples)> _series = [];

    public TestStore Add(Labels labels, params (long T, double V)[] samples)
    {
        _series.Add((labels, [.. samples]));
        return this;
    }

    public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        _series.Where(s => matchers.All(m => m.Matches(s.Labels.Get(m.Name))))
            .Select(s => new Stored(s.Labels, [.. s.Samples.Where(p => p.T >= mint && p.T <= maxt)]))
            .Where(s => s.Points.Count > 0)
            .OrderBy(s => s.Labels);

    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) => [];

    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) => [];

    private sealed record Stored(Labels Labels, List<(long T, double V)> Points) : IStoredSeries
    {
        public ISampleIterator Samples() => new Iterator(Points);
    }

    private sealed class Iterator(List<(long T, double V)> points) : ISampleIterator
    {
        private int _i = -1;

        public bool MoveNext() => ++_i < points.Count;

        public long Timestamp => points[_i].T;

        public double Value => points[_i].V;
    }
}
