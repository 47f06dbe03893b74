namespace Opsmon.Core.Metrics;

/// <summary>
/// Where collectors put what they read. Families are keyed by name, so a collector that asks twice for
/// the same family gets the same one (HELP/TYPE appear once); asking for an existing name with another
/// type or label set is a programming error and throws.
/// </summary>
public sealed class MetricSink(IReadOnlyDictionary<string, int>? sizeHints = null)
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
        if (sizeHints is not null && sizeHints.TryGetValue(name, out var size))
        {
            family.EnsureCapacity(size); // the last scrape's count: the sample list is allocated once, not grown
        }

        _byName.Add(name, family);
        _families.Add(family);
        return family;
    }

    /// <summary>Shorthand for a family with a single unlabelled sample.</summary>
    public void Single(string name, string help, MetricType type, double value) =>
        Family(name, help, type).Add(value);

    /// <summary>
    /// Moves every family of <paramref name="other"/> into this sink, merging families that share a name; a family
    /// this sink does not have yet is taken over as it is, not copied, so <paramref name="other"/> is spent.
    /// </summary>
    public void AddRange(MetricSink other)
    {
        foreach (var family in other._families)
        {
            if (_byName.TryAdd(family.Name, family))
            {
                _families.Add(family);
            }
            else
            {
                Add(family);
            }
        }

        other._byName.Clear();
        other._families.Clear();
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
