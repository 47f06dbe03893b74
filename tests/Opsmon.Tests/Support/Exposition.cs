using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Opsmon.Tests.Support;

/// <summary>One parsed sample: its full sample name, labels and value.</summary>
public sealed record ParsedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>A stable key for the label set, for comparing series across exporters.</summary>
    public string LabelKey => string.Join(",", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}

public sealed record ParsedFamily(string Name, string Type, string? Help, List<ParsedSample> Samples);

/// <summary>
/// A strict parser for the Prometheus text format 0.0.4 written for the tests: it rejects what the format
/// forbids (TYPE twice or after samples, samples outside their family, duplicate series, bad escapes,
/// invalid names) instead of guessing. https://prometheus.io/docs/instrumenting/exposition_formats/
/// </summary>
public static partial class Exposition
{
    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    public static Dictionary<string, ParsedFamily> Parse(string text)
    {
        var families = new Dictionary<string, ParsedFamily>(StringComparer.Ordinal);
        var seenSeries = new HashSet<string>(StringComparer.Ordinal);
        var lineNo = 0;
        ParsedFamily? current = null;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[1] is not ("HELP" or "TYPE"))
                {
                    continue; // a plain comment
                }

                var name = parts[2];
                Check(MetricName().IsMatch(name), lineNo, $"invalid metric name '{name}'");
                if (!families.TryGetValue(name, out var family))
                {
                    family = new ParsedFamily(name, "untyped", null, []);
                    families.Add(name, family);
                }

                Check(family.Samples.Count == 0, lineNo, $"{parts[1]} for {name} after its samples");
                if (parts[1] == "TYPE")
                {
                    var type = parts.Length > 3 ? parts[3] : "";
                    Check(type is "counter" or "gauge" or "untyped" or "summary" or "histogram", lineNo, $"unknown type '{type}'");
                    Check(family.Type == "untyped" || current != family, lineNo, $"second TYPE for {name}");
                    families[name] = family = family with { Type = type };
                }
                else
                {
                    Check(family.Help is null, lineNo, $"second HELP for {name}");
                    families[name] = family = family with { Help = parts.Length > 3 ? parts[3] : "" };
                }

                current = family;
                continue;
            }

            var sample = ParseSample(line, lineNo);
            var owner = FamilyOf(sample.Name, families);
            if (owner is null)
            {
                owner = new ParsedFamily(sample.Name, "untyped", null, []);
                families.Add(sample.Name, owner);
            }

            Check(current is null || current.Name == owner.Name || owner.Samples.Count == 0, lineNo, $"samples of {owner.Name} are not contiguous");
            Check(seenSeries.Add(sample.Name + "{" + sample.LabelKey + "}"), lineNo, $"duplicate series {sample.Name}{{{sample.LabelKey}}}");
            owner.Samples.Add(sample);
            current = owner;
        }

        return families;
    }

    private static ParsedFamily? FamilyOf(string sampleName, Dictionary<string, ParsedFamily> families)
    {
        if (families.TryGetValue(sampleName, out var exact))
        {
            return exact;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) &&
                families.TryGetValue(sampleName[..^suffix.Length], out var f) && f.Type is "summary" or "histogram")
            {
                return f;
            }
        }

        return null;
    }

    private static ParsedSample ParseSample(string line, int lineNo)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        Check(MetricName().IsMatch(name), lineNo, $"invalid metric name '{name}'");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (i < line.Length && line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                Check(eq > i, lineNo, "label without '='");
                var labelName = line[i..eq];
                Check(LabelName().IsMatch(labelName), lineNo, $"invalid label name '{labelName}'");
                Check(eq + 1 < line.Length && line[eq + 1] == '"', lineNo, "label value not quoted");
                i = eq + 2;
                var value = new StringBuilder();
                while (true)
                {
                    Check(i < line.Length, lineNo, "unterminated label value");
                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        Check(i < line.Length, lineNo, "dangling escape");
                        var e = line[i++];
                        value.Append(e switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"line {lineNo}: invalid escape '\\{e}'"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                Check(labels.TryAdd(labelName, value.ToString()), lineNo, $"label {labelName} twice");
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
            }

            Check(i < line.Length && line[i] == '}', lineNo, "unterminated label set");
            i++;
        }

        Check(i < line.Length && line[i] == ' ', lineNo, "no space before the value");
        var rest = line[(i + 1)..].Split(' ');
        Check(rest.Length is 1 or 2, lineNo, "trailing garbage after the value");
        return new ParsedSample(name, labels, ParseValue(rest[0], lineNo));
    }

    public static double ParseValue(string text, int lineNo) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"line {lineNo}: invalid value '{text}'"),
    };

    private static void Check(bool condition, int lineNo, string message)
    {
        if (!condition)
        {
            throw new FormatException($"line {lineNo}: {message}");
        }
    }
}
