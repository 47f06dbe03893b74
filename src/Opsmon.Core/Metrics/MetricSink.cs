namespace Opsmon.Core.Metrics;

/// <summary>
/// Where collectors put what they read. Families are keyed by name, so a collector that asks twice for
/// the same family gets the same one (HELP/TYPE appear once); asking for an existing name with another
/// type or label set is a programming error and throws.
/// </summary>
public sealed class MetricSink
{
    private readonly Dictionary<string, MetricFamily> _byName = new(StringComparer.Ordinal);
    private readonly List<MetricFamily> _families = [];

    public IReadOnlyList<MetricFamily> Families => _families;

    public MetricFamily Family(string name, string help, MetricType type, params string[] labelNames)
    {
        if (_byName.TryGetValue(name, out var existing))
        {
            if (existing.Type != type || !existing.LabelNames.SequenceEqual(labelNames))
            {
                throw new InvalidOperationException(
                    $"Metric family {name} was declared twice with different type or labels.");
            }

            return existing;
        }

        var family = new MetricFamily(name, help, type, labelNames);
        _byName.Add(name, family);
        _families.Add(family);
        return family;
    }

    /// <summary>Shorthand for a family with a single unlabelled sample.</summary>
    public void Single(string name, string help, MetricType type, double value) =>
        Family(name, help, type).Add(value);

    /// <summary>Moves every family of <paramref name="other"/> into this sink, merging families that share a name.</summary>
    public void AddRange(MetricSink other)
    {
        foreach (var family in other._families)
        {
            Add(family);
        }
    }

    /// <summary>Copies <paramref name="family"/>'s samples into this sink, merging with a family of the same name.</summary>
    public void Add(MetricFamily family)
    {
        var target = Family(family.Name, family.Help, family.Type, [.. family.LabelNames]);
        foreach (var sample in family.Samples)
        {
            target.Add(sample.Value, sample.LabelValues);
        }
    }
}
