namespace Opsmon.Core.Series;

/// <summary>
/// The read seam between the store and the query engine (Prometheus's storage.Querier): select series by
/// matchers over a time range, iterate their samples, list label names and values.
/// Timestamps are milliseconds since the Unix epoch.
/// </summary>
public interface IQuerier
{
    /// <summary>Series that match every matcher and have samples in [mint, maxt], sorted by label set.</summary>
    IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers);

    /// <summary>Label names of series in [mint, maxt] (restricted by matchers when any), sorted.</summary>
    IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers);

    /// <summary>Values of <paramref name="name"/> on series in [mint, maxt] (restricted by matchers when any), sorted.</summary>
    IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers);
}

/// <summary>One stored series: its labels and its samples within the range it was selected for.</summary>
public interface IStoredSeries
{
    Labels Labels { get; }

    /// <summary>Samples in ascending time order, within the selected range.</summary>
    ISampleIterator Samples();
}

/// <summary>A forward-only sample cursor that does not allocate per sample.</summary>
public interface ISampleIterator
{
    bool MoveNext();

    long Timestamp { get; }

    double Value { get; }
}

/// <summary>The write seam: append samples, then commit them together.</summary>
public interface IAppender
{
    void Append(Labels labels, long timestamp, double value);

    void Commit();
}
