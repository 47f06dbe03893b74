using Opsmon.Core.Metrics;
using Opsmon.Core.Series;

namespace Opsmon.Storage.Head;

/// <summary>
/// Appends whole scrapes and writes staleness markers as Prometheus does: a series present in the previous
/// scrape but absent from this one gets a <see cref="StaleNaN"/> sample at this scrape's timestamp, so queries
/// stop returning it at once instead of after the lookback. One instance per scrape target, used by one thread.
/// </summary>
public sealed class ScrapeAppender(IAppender inner) : IAppender
{
    private HashSet<Labels> _previous = [];
    private HashSet<Labels> _current = [];
    private long _timestamp = long.MinValue;

    public void Append(Labels labels, long timestamp, double value)
    {
        inner.Append(labels, timestamp, value);
        _current.Add(labels);
        _timestamp = Math.Max(_timestamp, timestamp);
    }

    /// <summary>
    /// Appends one collection (every family's samples, named as the exposition names them: the family name plus its
    /// labels) at <paramref name="timestamp"/> in milliseconds, and commits it as one scrape.
    /// </summary>
    public void AppendScrape(IEnumerable<MetricFamily> families, long timestamp)
    {
        var pairs = new List<Label>();
        foreach (var family in families)
        {
            foreach (var sample in family.Samples)
            {
                pairs.Clear();
                pairs.Add(new Label(Labels.MetricName, family.Name));
                for (var i = 0; i < family.LabelNames.Count; i++)
                {
                    pairs.Add(new Label(family.LabelNames[i], sample.LabelValues[i]));
                }

                Append(Labels.From(pairs), timestamp, sample.Value);
            }
        }

        Commit(timestamp);
    }

    /// <summary>Ends the scrape at the newest timestamp appended; with nothing appended only commits.</summary>
    public void Commit()
    {
        if (_timestamp == long.MinValue)
        {
            inner.Commit();
            return;
        }

        Commit(_timestamp);
    }

    /// <summary>Ends a scrape taken at <paramref name="timestamp"/>; a scrape with no samples marks every previous series stale.</summary>
    public void Commit(long timestamp)
    {
        foreach (var labels in _previous)
        {
            if (!_current.Contains(labels))
            {
                inner.Append(labels, timestamp, StaleNaN.Value);
            }
        }

        inner.Commit();
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        _timestamp = long.MinValue;
    }
}
