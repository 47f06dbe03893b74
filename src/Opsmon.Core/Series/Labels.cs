using System.Text;

namespace Opsmon.Core.Series;

/// <summary>
/// An immutable label set, sorted by name with unique names, that identifies a series.
/// The metric name is the label <c>__name__</c>. Equality and hash are by content.
/// </summary>
public sealed class Labels : IEquatable<Labels>, IComparable<Labels>
{
    public const string MetricName = "__name__";

    private readonly Label[] _labels;
    private readonly int _hash;

    public static Labels Empty { get; } = new([]);

    private Labels(Label[] sortedUnique)
    {
        _labels = sortedUnique;
        var hash = default(HashCode);
        foreach (var label in sortedUnique)
        {
            hash.Add(label.Name, StringComparer.Ordinal);
            hash.Add(label.Value, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>Builds a label set; empty values are dropped (Prometheus treats them as absent); a later duplicate name wins.</summary>
    public static Labels From(IEnumerable<Label> labels)
    {
        var list = new List<Label>();
        foreach (var label in labels)
        {
            var index = list.FindIndex(l => string.Equals(l.Name, label.Name, StringComparison.Ordinal));
            if (index >= 0)
            {
                list.RemoveAt(index);
            }

            if (label.Value.Length > 0)
            {
                list.Add(label);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new Labels([.. list]);
    }

    public static Labels From(params (string Name, string Value)[] labels) =>
        From(labels.Select(static l => new Label(l.Name, l.Value)));

    public int Count => _labels.Length;

    public Label this[int index] => _labels[index];

    public ReadOnlySpan<Label> AsSpan() => _labels;

    /// <summary>The value of <paramref name="name"/>, or the empty string when absent.</summary>
    public string Get(string name)
    {
        foreach (var label in _labels)
        {
            if (string.Equals(label.Name, name, StringComparison.Ordinal))
            {
                return label.Value;
            }
        }

        return string.Empty;
    }

    public bool Has(string name) => Get(name).Length > 0;

    public string Name => Get(MetricName);

    public Labels With(string name, string value) =>
        From(_labels.Append(new Label(name, value)));

    public Labels Without(params string[] names) =>
        new([.. _labels.Where(l => Array.IndexOf(names, l.Name) < 0)]);

    public Labels WithoutName() => Without(MetricName);

    public Labels Keep(IEnumerable<string> names)
    {
        var set = names as ISet<string> ?? new HashSet<string>(names, StringComparer.Ordinal);
        return new Labels([.. _labels.Where(l => set.Contains(l.Name))]);
    }

    public bool Equals(Labels? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_hash != other._hash || _labels.Length != other._labels.Length)
        {
            return false;
        }

        for (var i = 0; i < _labels.Length; i++)
        {
            if (!string.Equals(_labels[i].Name, other._labels[i].Name, StringComparison.Ordinal) ||
                !string.Equals(_labels[i].Value, other._labels[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as Labels);

    public override int GetHashCode() => _hash;

    /// <summary>Orders label sets the way Prometheus sorts series: pair by pair, name then value.</summary>
    public int CompareTo(Labels? other)
    {
        if (other is null)
        {
            return 1;
        }

        var n = Math.Min(_labels.Length, other._labels.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(_labels[i].Name, other._labels[i].Name);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(_labels[i].Value, other._labels[i].Value);
            if (c != 0)
            {
                return c;
            }
        }

        return _labels.Length.CompareTo(other._labels.Length);
    }

    /// <summary>Prometheus's text form: <c>name{a="b", c="d"}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        var name = Name;
        sb.Append(name);
        sb.Append('{');
        var first = true;
        foreach (var label in _labels)
        {
            if (string.Equals(label.Name, MetricName, StringComparison.Ordinal))
            {
                continue;
            }

            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append(label.Name).Append("=\"");
            foreach (var c in label.Value)
            {
                _ = c switch
                {
                    '\\' => sb.Append(@"\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append(@"\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        sb.Append('}');
        return sb.ToString();
    }
}
