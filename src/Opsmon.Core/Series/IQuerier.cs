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

    /// <summary>
    /// Reads up to as many samples as the spans hold (the shorter of the two) into them, in order, continuing from
    /// where <see cref="MoveNext"/> or an earlier read left off; returns how many it read, 0 only at the end.
    /// Afterwards <see cref="Timestamp"/> and <see cref="Value"/> are those of the last sample read.
    /// </summary>
    int Read(Span<long> timestamps, Span<double> values)
    {
        var capacity = Math.Min(timestamps.Length, values.Length);
        var n = 0;
        while (n < capacity && MoveNext())
        {
            timestamps[n] = Timestamp;
            values[n] = Value;
            n++;
        }

        return n;
    }
}

/// <summary>The write seam: append samples, then commit them together.</summary>
public interface IAppender
{
    void Append(Labels labels, long timestamp, double value);

    void Commit();
}
