using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Opsmon.Analysis;

/// <summary>How a threshold is written in the configuration.</summary>
public enum ThresholdKind
{
    Number,
    Integer,
    Duration,
}

/// <summary>
/// One overridable threshold: its snake_case key (<c>cpu_utilization_warning_percent</c>, <c>leak.min_span</c>),
/// how it is written, and its valid range (durations in seconds).
/// </summary>
public sealed record ThresholdSetting(string Key, ThresholdKind Kind, double Min, double Max, string Property)
{
    /// <summary>The range for people, e.g. "a number from 0 to 100" or "a duration from 1s to 365d".</summary>
    public string Rule => Kind switch
    {
        ThresholdKind.Integer => string.Create(CultureInfo.InvariantCulture, $"an integer from {Min} to {Max}"),
        ThresholdKind.Duration => "a duration from " + Seconds(Min) + " to " + Seconds(Max) + " (for example 30m)",
        _ => string.Create(CultureInfo.InvariantCulture, $"a number from {Min} to {Max}"),
    };

    private static string Seconds(double s) => s switch
    {
        >= 86400 when s % 86400 == 0 => (s / 86400).ToString(CultureInfo.InvariantCulture) + "d",
        >= 3600 when s % 3600 == 0 => (s / 3600).ToString(CultureInfo.InvariantCulture) + "h",
        >= 60 when s % 60 == 0 => (s / 60).ToString(CultureInfo.InvariantCulture) + "m",
        _ => s.ToString(CultureInfo.InvariantCulture) + "s",
    };
}

/// <summary>
/// Every property of <see cref="Thresholds"/> and <see cref="LeakThresholds"/> as a configuration key (the
/// property's name in snake_case, leak ones under <c>leak.</c>), with its range from <see cref="ValidRangeAttribute"/>,
/// so the config's <c>doctor:</c> section can override any of them and a new threshold needs no parser change.
/// </summary>
public static class ThresholdSettings
{
    private const string LeakPrefix = "leak.";

    private static readonly Dictionary<string, (ThresholdSetting Setting, PropertyInfo Property)> ByKey = Build();

    /// <summary>Every key, in declaration order.</summary>
    public static IReadOnlyList<ThresholdSetting> All { get; } =
        [.. ByKey.Values.Select(static v => v.Setting)];

    public static ThresholdSetting? Find(string key) => ByKey.TryGetValue(key, out var entry) ? entry.Setting : null;

    /// <summary>
    /// A copy of <paramref name="thresholds"/> with <paramref name="key"/> set to <paramref name="value"/> (seconds
    /// for durations); null and a reason when the key is unknown or the value out of range.
    /// </summary>
    public static Thresholds? With(Thresholds thresholds, string key, double value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        if (!ByKey.TryGetValue(key, out var entry))
        {
            error = "unknown threshold.";
            return null;
        }

        var (setting, property) = entry;
        if (double.IsNaN(value) || value < setting.Min || value > setting.Max ||
            (setting.Kind == ThresholdKind.Integer && value != Math.Floor(value)))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"must be {setting.Rule}, got {value}.");
            return null;
        }

        object boxed = setting.Kind switch
        {
            ThresholdKind.Integer => (int)value,
            ThresholdKind.Duration => TimeSpan.FromSeconds(value),
            _ => value,
        };
        error = null;
        if (key.StartsWith(LeakPrefix, StringComparison.Ordinal))
        {
            var leak = thresholds.Leak with { };
            property.SetValue(leak, boxed);
            return thresholds with { Leak = leak };
        }

        var copy = thresholds with { };
        property.SetValue(copy, boxed);
        return copy;
    }

    /// <summary>
    /// Warning and critical pairs whose critical figure is not beyond the warning one (above it where more is worse,
    /// below it where less is worse, as the defaults are): the key of the critical one and why.
    /// </summary>
    public static IEnumerable<(string Key, string Problem)> Inconsistencies(Thresholds thresholds)
    {
        foreach (var (key, (setting, _)) in ByKey)
        {
            if (!key.Contains("_warning", StringComparison.Ordinal))
            {
                continue;
            }

            var criticalKey = key.Replace("_warning", "_critical", StringComparison.Ordinal);
            if (!ByKey.ContainsKey(criticalKey))
            {
                continue;
            }

            var lessIsWorse = Value(Thresholds.Default, key) > Value(Thresholds.Default, criticalKey);
            var warning = Value(thresholds, key);
            var critical = Value(thresholds, criticalKey);
            if (lessIsWorse ? critical > warning : critical < warning)
            {
                var shown = setting.Kind == ThresholdKind.Duration ? " s" : string.Empty;
                yield return (criticalKey, string.Create(CultureInfo.InvariantCulture,
                    $"must be {(lessIsWorse ? "at most" : "at least")} {key} ({warning}{shown}), as {(lessIsWorse ? "less" : "more")} is worse; got {critical}{shown}."));
            }
        }
    }

    /// <summary>A threshold's value as a number (seconds for durations).</summary>
    public static double Value(Thresholds thresholds, string key)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var (_, property) = ByKey[key];
        var value = property.GetValue(key.StartsWith(LeakPrefix, StringComparison.Ordinal) ? thresholds.Leak : thresholds);
        return value switch
        {
            TimeSpan t => t.TotalSeconds,
            int i => i,
            double d => d,
            _ => throw new InvalidOperationException($"threshold {key} has an unexpected type"),
        };
    }

    /// <summary>CpuUtilizationWarningPercent → cpu_utilization_warning_percent; MaxPValue → max_p_value.</summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 &&
                (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private static Dictionary<string, (ThresholdSetting, PropertyInfo)> Build()
    {
        var map = new Dictionary<string, (ThresholdSetting, PropertyInfo)>(StringComparer.Ordinal);
        Add(map, typeof(Thresholds), string.Empty);
        Add(map, typeof(LeakThresholds), LeakPrefix);
        return map;
    }

    private static void Add(
        Dictionary<string, (ThresholdSetting, PropertyInfo)> map,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type,
        string prefix)
    {
        // GetProperties lists a type's own properties in metadata (declaration) order, under the JIT and in the
        // native build alike; MetadataToken, which would say so explicitly, does not exist in the native build.
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            var kind = property.PropertyType == typeof(double) ? ThresholdKind.Number
                : property.PropertyType == typeof(int) ? ThresholdKind.Integer
                : property.PropertyType == typeof(TimeSpan) ? ThresholdKind.Duration
                : (ThresholdKind?)null;
            if (kind is null || property.SetMethod is null)
            {
                continue;
            }

            // Every threshold declares its range; one without is a programming error caught by the tests.
            var range = property.GetCustomAttribute<ValidRangeAttribute>()
                ?? throw new InvalidOperationException($"{type.Name}.{property.Name} has no [ValidRange]");
            var key = prefix + SnakeCase(property.Name);
            map[key] = (new ThresholdSetting(key, kind.Value, range.Min, range.Max, type.Name + "." + property.Name), property);
        }
    }
}

/// <summary>The values a threshold may be configured to, inclusive; durations in seconds.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidRangeAttribute(double min, double max) : Attribute
{
    public double Min { get; } = min;

    public double Max { get; } = max;
}
