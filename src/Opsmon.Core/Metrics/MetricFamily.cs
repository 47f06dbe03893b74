namespace Opsmon.Core.Metrics;

/// <summary>
/// A metric family: one name, help, type and fixed label names, owning its samples.
/// Collectors fill families through <see cref="MetricSink"/>; exposition and storage read them.
/// </summary>
public sealed class MetricFamily
{
    private readonly List<MetricSample> _samples = [];

    public MetricFamily(string name, string help, MetricType type, params string[] labelNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    /// <summary>Label names every sample of this family carries, in this order.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    public IReadOnlyList<MetricSample> Samples => _samples;

    /// <summary>Makes room for <paramref name="samples"/> samples in all.</summary>
    public void EnsureCapacity(int samples) => _samples.EnsureCapacity(samples);

    /// <summary>Adds one sample; <paramref name="labelValues"/> must match <see cref="LabelNames"/> one to one.</summary>
    public MetricFamily Add(double value, params string[] labelValues)
    {
        if (labelValues.Length != LabelNames.Count)
        {
            throw new ArgumentException(
                $"{Name}: expected {LabelNames.Count} label values ({string.Join(",", LabelNames)}), got {labelValues.Length}.",
                nameof(labelValues));
        }

        _samples.Add(new MetricSample(labelValues, value));
        return this;
    }
}

/// <summary>One sample of a family: label values in the family's label-name order, and a value.</summary>
public readonly record struct MetricSample(string[] LabelValues, double Value);
