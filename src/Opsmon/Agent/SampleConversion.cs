using Opsmon.Core.Metrics;
using Opsmon.Core.Series;

namespace Opsmon.Agent;

/// <summary>Turns a scrape's metric families into labelled samples for the store, reusing label sets between scrapes.</summary>
public sealed class SampleConversion
{
    // Keyed by family name and label values; a series seen on the last scrape reuses its Labels instance.
    private Dictionary<string, Labels> _previous = new(StringComparer.Ordinal);
    private Dictionary<string, Labels> _current = new(StringComparer.Ordinal);

    public void AppendAll(IReadOnlyList<MetricFamily> families, IAppender appender, long timestamp)
    {
        foreach (var family in families)
        {
            foreach (var sample in family.Samples)
            {
                var key = sample.LabelValues.Length == 0 ? family.Name : family.Name + "\u0000" + string.Join('\u0000', sample.LabelValues);
                if (!_previous.TryGetValue(key, out var labels))
                {
                    labels = ToLabels(family, sample);
                }

                _current[key] = labels;
                appender.Append(labels, timestamp, sample.Value);
            }
        }

        (_previous, _current) = (_current, _previous);
        _current.Clear();
    }

    public static Labels ToLabels(MetricFamily family, MetricSample sample)
    {
        var pairs = new Label[family.LabelNames.Count + 1];
        pairs[0] = new Label(Labels.MetricName, family.Name);
        for (var i = 0; i < family.LabelNames.Count; i++)
        {
            pairs[i + 1] = new Label(family.LabelNames[i], sample.LabelValues[i]);
        }

        return Labels.From(pairs);
    }
}
