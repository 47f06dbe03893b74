using System.Globalization;
using System.Text.RegularExpressions;
using Opsmon.Rules.Templating;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Opsmon.Rules.RuleFiles;

/// <summary>
/// Reads Prometheus rule files (rulefmt) and validates them as <c>promtool check rules</c> does: unknown keys,
/// record/alert exclusivity, metric and label names, PromQL, durations, duplicate groups and label/annotation templates.
/// Never throws on bad input; every problem is returned with its file, line and rule.
/// </summary>
public static partial class RuleFileParser
{
    private static readonly HashSet<string> GroupKeys = new(StringComparer.Ordinal) { "name", "interval", "limit", "rules" };

    private static readonly HashSet<string> RuleKeys = new(StringComparer.Ordinal)
    {
        "record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations",
    };

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricNamePattern();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelNamePattern();

    public static RuleFileParseResult ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new RuleFileParseResult(path, [], [new RuleFileError(path, 0, 0, e.Message)]);
        }

        return Parse(text, path);
    }

    public static RuleFileParseResult Parse(string yaml, string file)
    {
        var errors = new List<RuleFileError>();
        var groups = new List<RuleGroupDefinition>();
        YamlStream stream;
        try
        {
            stream = [];
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            errors.Add(new RuleFileError(file, (int)e.Start.Line, (int)e.Start.Column, "yaml: " + (e.InnerException?.Message ?? e.Message)));
            return new RuleFileParseResult(file, groups, errors);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return new RuleFileParseResult(file, groups, errors);
        }

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode rootMap)
        {
            errors.Add(Error(file, root, $"cannot unmarshal {Kind(root)} into rulefmt.RuleGroups"));
            return new RuleFileParseResult(file, groups, errors);
        }

        YamlNode? groupsNode = null;
        foreach (var (key, value) in rootMap.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (name == "groups")
            {
                groupsNode = value;
            }
            else
            {
                errors.Add(Error(file, key, $"field {name} not found in type rulefmt.RuleGroups"));
            }
        }

        if (groupsNode is YamlSequenceNode groupList)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var groupNode in groupList.Children)
            {
                var group = ParseGroup(file, groupNode, errors);
                if (group is null)
                {
                    continue;
                }

                if (!seen.Add(group.Name))
                {
                    errors.Add(Error(file, groupNode, $"groupname: \"{group.Name}\" is repeated in the same file"));
                }

                groups.Add(group);
            }
        }
        else if (groupsNode is not null && !IsNull(groupsNode))
        {
            errors.Add(Error(file, groupsNode, $"cannot unmarshal {Kind(groupsNode)} into []rulefmt.RuleGroup"));
        }

        return new RuleFileParseResult(file, groups, errors);
    }

    private static RuleGroupDefinition? ParseGroup(string file, YamlNode node, List<RuleFileError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(file, node, $"cannot unmarshal {Kind(node)} into rulefmt.RuleGroup"));
            return null;
        }

        var name = string.Empty;
        TimeSpan? interval = null;
        var limit = 0;
        var rules = new List<RuleDefinition>();
        YamlSequenceNode? ruleNodes = null;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!GroupKeys.Contains(key))
            {
                errors.Add(Error(file, keyNode, $"field {key} not found in type rulefmt.RuleGroup"));
                continue;
            }

            switch (key)
            {
                case "name":
                    name = Scalar(file, value, "string", errors) ?? string.Empty;
                    break;
                case "interval":
                    interval = Duration(file, value, errors);
                    break;
                case "limit":
                    var text = Scalar(file, value, "int", errors);
                    if (text is not null && !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
                    {
                        errors.Add(Error(file, value, $"cannot unmarshal !!str `{text}` into int"));
                    }

                    break;
                case "rules":
                    if (value is YamlSequenceNode seq)
                    {
                        ruleNodes = seq;
                    }
                    else if (!IsNull(value))
                    {
                        errors.Add(Error(file, value, $"cannot unmarshal {Kind(value)} into []rulefmt.RuleNode"));
                    }

                    break;
            }
        }

        if (name.Length == 0)
        {
            errors.Add(Error(file, node, "Groupname must not be empty"));
        }

        if (ruleNodes is not null)
        {
            var index = 0;
            foreach (var ruleNode in ruleNodes.Children)
            {
                index++;
                var rule = ParseRule(file, name, index, ruleNode, errors);
                if (rule is not null)
                {
                    rules.Add(rule);
                }
            }
        }

        return new RuleGroupDefinition(name, file, interval, limit, rules, (int)node.Start.Line);
    }

    private static RuleDefinition? ParseRule(string file, string group, int index, YamlNode node, List<RuleFileError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(file, node, $"cannot unmarshal {Kind(node)} into rulefmt.RuleNode"));
            return null;
        }

        string? record = null;
        string? alert = null;
        var expr = string.Empty;
        TimeSpan? forDuration = null;
        TimeSpan? keepFiringFor = null;
        Dictionary<string, string>? labels = null;
        Dictionary<string, string>? annotations = null;
        YamlNode? exprNode = null;
        YamlNode? recordNode = null;
        var ruleErrors = new List<(YamlNode Node, string Message)>();
        var local = new List<RuleFileError>();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            switch (key)
            {
                case "record":
                    record = Scalar(file, value, "string", local);
                    recordNode = value;
                    break;
                case "alert":
                    alert = Scalar(file, value, "string", local);
                    break;
                case "expr":
                    expr = Scalar(file, value, "string", local) ?? string.Empty;
                    exprNode = value;
                    break;
                case "for":
                    forDuration = Duration(file, value, local);
                    break;
                case "keep_firing_for":
                    keepFiringFor = Duration(file, value, local);
                    break;
                case "labels":
                    labels = StringMap(file, value, local);
                    break;
                case "annotations":
                    annotations = StringMap(file, value, local);
                    break;
                default:
                    local.Add(Error(file, keyNode, $"field {key} not found in type rulefmt.RuleNode"));
                    break;
            }
        }

        // Decoding errors (unknown keys, wrong types) stop validation, as yaml.v3 strict decoding stops promtool.
        if (local.Count > 0)
        {
            errors.AddRange(local);
            return null;
        }

        var name = record ?? alert ?? string.Empty;
        if (record is not null && alert is not null)
        {
            ruleErrors.Add((node, "only one of 'record' and 'alert' must be set"));
        }
        else if (record is null && alert is null)
        {
            ruleErrors.Add((node, "one of 'record' or 'alert' must be set"));
        }

        if (expr.Length == 0)
        {
            ruleErrors.Add((exprNode ?? node, "field 'expr' must be set in rule"));
        }
        else
        {
            var parsed = Query.Parser.Parse(expr);
            if (!parsed.IsSuccess)
            {
                ruleErrors.Add((exprNode ?? node, "could not parse expression: " + parsed.Error));
            }
        }

        if (record is not null)
        {
            if (annotations is { Count: > 0 })
            {
                ruleErrors.Add((node, "invalid field 'annotations' in recording rule"));
            }

            if (forDuration is { } f && f != TimeSpan.Zero)
            {
                ruleErrors.Add((node, "invalid field 'for' in recording rule"));
            }

            if (keepFiringFor is { } k && k != TimeSpan.Zero)
            {
                ruleErrors.Add((node, "invalid field 'keep_firing_for' in recording rule"));
            }

            if (!MetricNamePattern().IsMatch(record))
            {
                ruleErrors.Add((recordNode ?? node, $"invalid recording rule name: {record}"));
            }
        }

        foreach (var labelName in (labels ?? []).Keys)
        {
            if (!LabelNamePattern().IsMatch(labelName) || labelName.StartsWith("__", StringComparison.Ordinal))
            {
                ruleErrors.Add((node, $"invalid label name: {labelName}"));
            }
        }

        foreach (var annotationName in (annotations ?? []).Keys)
        {
            if (!LabelNamePattern().IsMatch(annotationName))
            {
                ruleErrors.Add((node, $"invalid annotation name: {annotationName}"));
            }
        }

        // promtool also parses the label and annotation templates of alerting rules (recording rules are not templated).
        foreach (var (_, value) in alert is null ? [] : (labels ?? []).Concat(annotations ?? []))
        {
            if (GoTemplate.TryParse("__alert_" + name, value, out var templateError) is null)
            {
                ruleErrors.Add((node, templateError!));
            }
        }

        foreach (var (errorNode, message) in ruleErrors)
        {
            errors.Add(new RuleFileError(file, (int)errorNode.Start.Line, (int)errorNode.Start.Column, message, group, index, name));
        }

        return ruleErrors.Count > 0
            ? null
            : new RuleDefinition(record, alert, expr, forDuration ?? TimeSpan.Zero, keepFiringFor ?? TimeSpan.Zero,
                labels ?? [], annotations ?? [], (int)node.Start.Line);
    }

    private static Dictionary<string, string>? StringMap(string file, YamlNode node, List<RuleFileError> errors)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(file, node, $"cannot unmarshal {Kind(node)} into map[string]string"));
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            var k = Scalar(file, key, "string", errors);
            var v = IsNull(value) ? string.Empty : Scalar(file, value, "string", errors);
            if (k is not null && v is not null)
            {
                result[k] = v;
            }
        }

        return result;
    }

    private static TimeSpan? Duration(string file, YamlNode node, List<RuleFileError> errors)
    {
        var text = Scalar(file, node, "model.Duration", errors);
        if (text is null)
        {
            return null;
        }

        if (!PromDuration.TryParse(text, out var duration))
        {
            errors.Add(Error(file, node, $"not a valid duration string: \"{text}\""));
            return null;
        }

        return duration;
    }

    private static string? Scalar(string file, YamlNode node, string type, List<RuleFileError> errors)
    {
        if (node is YamlScalarNode scalar)
        {
            return IsNull(node) ? string.Empty : scalar.Value ?? string.Empty;
        }

        errors.Add(Error(file, node, $"cannot unmarshal {Kind(node)} into {type}"));
        return null;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "!!map",
        YamlSequenceNode => "!!seq",
        _ => "!!str",
    };

    private static RuleFileError Error(string file, YamlNode node, string message) =>
        new(file, (int)node.Start.Line, (int)node.Start.Column, message);
}
