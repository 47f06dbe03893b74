using System.Globalization;
using System.Text.RegularExpressions;

namespace Opsmon.Rules.Actions;

/// <summary>A configuration error found in an action's section: the key path (for example <c>actions[2].grace_period</c>) and what would be valid.</summary>
public sealed record ActionConfigError(string KeyPath, string Message);

/// <summary>
/// One action's raw configuration (a YAML mapping as plain values: strings, lists, nested mappings), read key by
/// key by the action type's parser. It remembers which keys were read, so that a key the type does not use is
/// reported as an error rather than silently ignored.
/// </summary>
public sealed class ActionSection
{
    private readonly IReadOnlyDictionary<string, object?> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ActionSection(string path, IReadOnlyDictionary<string, object?> values, List<ActionConfigError> errors)
    {
        Path = path;
        _values = values;
        Errors = errors;
    }

    /// <summary>The key path of this section, such as <c>actions[2]</c>.</summary>
    public string Path { get; }

    public List<ActionConfigError> Errors { get; }

    /// <summary>The keys present in the section that nobody has read.</summary>
    public IEnumerable<string> Unread => _values.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal);

    public bool Has(string key) => _values.ContainsKey(key);

    public void Error(string key, string message) => Errors.Add(new ActionConfigError(key.Length == 0 ? Path : $"{Path}.{key}", message));

    public string? String(string key)
    {
        if (!Take(key, out var value) || value is null)
        {
            return null;
        }

        if (value is string s)
        {
            return s;
        }

        Error(key, "must be a single value, not a list or a mapping.");
        return null;
    }

    public bool Bool(string key, bool fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (text is "true" or "True" or "yes")
        {
            return true;
        }

        if (text is "false" or "False" or "no")
        {
            return false;
        }

        Error(key, $"'{text}' is not true or false.");
        return fallback;
    }

    public int? Int(string key, int min, int max)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            Error(key, $"'{text}' is not a whole number from {min} to {max}.");
            return null;
        }

        return n;
    }

    /// <summary>A Prometheus-style duration (500ms, 30s, 5m, 1h30m, 7d).</summary>
    public TimeSpan? Duration(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!Opsmon.Query.Parser.TryParseDuration(text.Trim(), out var ms) || ms <= 0)
        {
            Error(key, $"'{text}' is not a duration (for example 500ms, 30s, 5m, 1h).");
            return null;
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>A size with a unit: B, KB, MB, GB, TB (powers of 1024, as the config's retention_size).</summary>
    public long? Size(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        if (!TryParseSize(text, out var bytes))
        {
            Error(key, $"'{text}' is not a size (for example 512MB, 2GB).");
            return null;
        }

        return bytes;
    }

    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var t = text.Trim().ToUpperInvariant();
        (string Suffix, long Factor)[] units = [("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1)];
        foreach (var (suffix, factor) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) &&
                double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                bytes = (long)(n * factor);
                return true;
            }
        }

        return false;
    }

    /// <summary>A list of strings; a single string is an error (argv lists must be explicit).</summary>
    public IReadOnlyList<string>? List(string key)
    {
        if (!Take(key, out var value) || value is null)
        {
            return null;
        }

        if (value is not string && value is IEnumerable<object?> items)
        {
            var list = new List<string>();
            var i = 0;
            foreach (var item in items)
            {
                if (item is not string s)
                {
                    Error($"{key}[{i}]", "must be a single value.");
                    return null;
                }

                list.Add(s);
                i++;
            }

            return list;
        }

        Error(key, "must be a list (for example [a, b]).");
        return null;
    }

    /// <summary>A fully anchored regex (as PromQL's =~), or null with an error.</summary>
    public Regex? Regex(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        try
        {
            return new Regex("^(?:" + text + @")\z", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            Error(key, $"'{text}' is not a valid regular expression: {e.Message}");
            return null;
        }
    }

    /// <summary>A nested mapping, read as its own section (its keys are checked the same way).</summary>
    public ActionSection? Map(string key)
    {
        if (!Take(key, out var value) || value is null)
        {
            return null;
        }

        if (value is IDictionary<object, object?> map)
        {
            return new ActionSection($"{Path}.{key}", map.ToDictionary(e => e.Key.ToString() ?? "", e => e.Value, StringComparer.Ordinal), Errors);
        }

        if (value is IReadOnlyDictionary<string, object?> typed)
        {
            return new ActionSection($"{Path}.{key}", typed, Errors);
        }

        Error(key, "must be a mapping of keys to values.");
        return null;
    }

    /// <summary>Reports every key nobody read as not valid here, listing the keys that were read (the valid ones).</summary>
    public void RejectUnread(string what)
    {
        var valid = string.Join(", ", _read.Order(StringComparer.Ordinal));
        foreach (var key in Unread.ToList())
        {
            Error(key, $"unknown key for {what}; valid keys are {valid}.");
        }
    }

    private bool Take(string key, out object? value)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out value);
    }
}
