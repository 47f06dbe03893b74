using Opsmon.Core.Series;

namespace Opsmon.Analysis.Tests.Support;

/// <summary>Hides some metrics of another querier, to test the fallbacks for absent data.</summary>
internal sealed class FilteringQuerier(IQuerier inner, params string[] hidden) : IQuerier
{
    public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        inner.Select(mint, maxt, matchers).Where(s => !hidden.Contains(s.Labels.Name));

    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        inner.LabelNames(mint, maxt, matchers);

    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        inner.LabelValues(name, mint, maxt, matchers);
}
