using System.Globalization;
using Opsmon.Analysis;

namespace Opsmon.Configuration;

public static partial class ConfigLoader
{
    /// <summary>
    /// <c>doctor:</c> overrides any threshold of <see cref="Thresholds"/> by its snake_case name
    /// (<c>cpu_utilization_warning_percent: 85</c>), and those of <see cref="LeakThresholds"/> under <c>leak:</c>;
    /// durations are written as elsewhere (<c>12h</c>). Null when the section is absent: the built-in defaults.
    /// </summary>
    private static partial Thresholds? ParseDoctor(ConfigFile file, string path, YamlLocator where, List<string> errors)
    {
        if (file.Doctor is null)
        {
            return null;
        }

        var thresholds = Thresholds.Default;
        var before = errors.Count;
        foreach (var (key, value) in file.Doctor)
        {
            if (key == "leak")
            {
                if (value is not Dictionary<object, object?> leak)
                {
                    errors.Add(where.Error(path, "doctor.leak", "must be a map of leak thresholds (for example min_span: 2m)."));
                    continue;
                }

                foreach (var (leakKey, leakValue) in leak)
                {
                    thresholds = Set(thresholds, "leak." + Convert.ToString(leakKey, CultureInfo.InvariantCulture), leakValue, path, where, errors);
                }

                continue;
            }

            thresholds = Set(thresholds, key, value, path, where, errors);
        }

        // Only once every value is valid does the order of a warning and its critical figure mean anything.
        if (errors.Count == before)
        {
            foreach (var (key, problem) in ThresholdSettings.Inconsistencies(thresholds))
            {
                errors.Add(where.Error(path, "doctor." + key, problem));
            }
        }

        return thresholds;
    }

    private static Thresholds Set(Thresholds thresholds, string key, object? value, string path, YamlLocator where, List<string> errors)
    {
        var keyPath = "doctor." + key;
        var setting = ThresholdSettings.Find(key);
        if (setting is null)
        {
            var known = key.StartsWith("leak.", StringComparison.Ordinal)
                ? ThresholdSettings.All.Where(static s => s.Key.StartsWith("leak.", StringComparison.Ordinal)).Select(static s => s.Key["leak.".Length..])
                : ThresholdSettings.All.Where(static s => !s.Key.StartsWith("leak.", StringComparison.Ordinal)).Select(static s => s.Key).Append("leak");
            errors.Add(where.Error(path, keyPath, $"unknown threshold. Known: {string.Join(", ", known)} (docs/doctor.md)."));
            return thresholds;
        }

        var text = value as string;
        var shown = value switch { null => "(empty)", string s => "'" + s + "'", _ => "a map or list" };
        double number;
        if (setting.Kind == ThresholdKind.Duration)
        {
            if (text is null || !TryDuration(text, out var duration))
            {
                errors.Add(where.Error(path, keyPath, $"{shown} is not {setting.Rule}."));
                return thresholds;
            }

            number = duration.TotalSeconds;
        }
        else if (text is null || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            errors.Add(where.Error(path, keyPath, $"{shown} is not {setting.Rule}."));
            return thresholds;
        }

        var updated = ThresholdSettings.With(thresholds, key, number, out var error);
        if (updated is null)
        {
            errors.Add(where.Error(path, keyPath, error!));
            return thresholds;
        }

        return updated;
    }

    private sealed partial class ConfigFile
    {
        /// <summary>Scalars come as strings and <c>leak:</c> as a map; each key is checked against <see cref="ThresholdSettings"/>.</summary>
        public Dictionary<string, object?>? Doctor { get; set; }
    }
}
