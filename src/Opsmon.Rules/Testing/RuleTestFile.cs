using System.Globalization;
using Opsmon.Rules.RuleFiles;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Opsmon.Rules.Testing;

public sealed record InputSeries(string Series, string Values, int Line);

public sealed record ExpectedAlert(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);

public sealed record AlertRuleTest(TimeSpan EvalTime, string AlertName, IReadOnlyList<ExpectedAlert> ExpectedAlerts, int Line);

public sealed record ExpectedSample(string Labels, double Value, int Line);

public sealed record PromqlExprTest(string Expr, TimeSpan EvalTime, IReadOnlyList<ExpectedSample> ExpectedSamples, int Line);

public sealed record RuleTestGroup(
    string Name,
    TimeSpan? Interval,
    IReadOnlyList<InputSeries> InputSeries,
    IReadOnlyList<AlertRuleTest> AlertRuleTests,
    IReadOnlyList<PromqlExprTest> PromqlExprTests,
    IReadOnlyDictionary<string, string> ExternalLabels,
    string ExternalUrl,
    int Line);

/// <summary>A promtool unit-test file: rule files (relative to the test file), the evaluation interval and the test groups.</summary>
public sealed record RuleTestFile(
    string File,
    IReadOnlyList<string> RuleFiles,
    TimeSpan EvaluationInterval,
    IReadOnlyList<string> GroupEvalOrder,
    IReadOnlyList<RuleTestGroup> Tests);

/// <summary>Reads promtool's <c>test rules</c> format strictly (unknown keys are errors, with their line).</summary>
public static class RuleTestFileParser
{
    public static (RuleTestFile? File, IReadOnlyList<string> Errors) Parse(string yaml, string file)
    {
        var reader = new Reader(file);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                return (null, [$"{file}: no test description"]);
            }

            var result = reader.ReadFile(root);
            return reader.Errors.Count > 0 ? (null, reader.Errors) : (result, []);
        }
        catch (YamlException e)
        {
            return (null, [$"{file}:{e.Start.Line}:{e.Start.Column}: yaml: {e.InnerException?.Message ?? e.Message}"]);
        }
    }

    private sealed class Reader(string file)
    {
        public List<string> Errors { get; } = [];

        public RuleTestFile ReadFile(YamlMappingNode root)
        {
            var ruleFiles = new List<string>();
            var interval = TimeSpan.FromMinutes(1);
            var order = new List<string>();
            var tests = new List<RuleTestGroup>();
            foreach (var (key, value) in Fields(root, "unitTestFile", "rule_files", "evaluation_interval", "group_eval_order", "tests"))
            {
                switch (key)
                {
                    case "rule_files":
                        ruleFiles.AddRange(List(value).Select(Str));
                        break;
                    case "evaluation_interval":
                        interval = Duration(value) ?? interval;
                        break;
                    case "group_eval_order":
                        order.AddRange(List(value).Select(Str));
                        break;
                    case "tests":
                        tests.AddRange(List(value).Select(ReadGroup));
                        break;
                }
            }

            return new RuleTestFile(file, ruleFiles, interval, order, tests);
        }

        private RuleTestGroup ReadGroup(YamlNode node)
        {
            var name = string.Empty;
            TimeSpan? interval = null;
            var series = new List<InputSeries>();
            var alerts = new List<AlertRuleTest>();
            var exprs = new List<PromqlExprTest>();
            var externalLabels = new Dictionary<string, string>(StringComparer.Ordinal);
            var externalUrl = string.Empty;
            foreach (var (key, value) in Fields(node, "testGroup", "name", "interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url"))
            {
                switch (key)
                {
                    case "name":
                        name = Str(value);
                        break;
                    case "interval":
                        interval = Duration(value);
                        break;
                    case "input_series":
                        series.AddRange(List(value).Select(ReadSeries));
                        break;
                    case "alert_rule_test":
                        alerts.AddRange(List(value).Select(ReadAlertTest));
                        break;
                    case "promql_expr_test":
                        exprs.AddRange(List(value).Select(ReadExprTest));
                        break;
                    case "external_labels":
                        externalLabels = Map(value);
                        break;
                    case "external_url":
                        externalUrl = Str(value);
                        break;
                }
            }

            return new RuleTestGroup(name, interval, series, alerts, exprs, externalLabels, externalUrl, Line(node));
        }

        private InputSeries ReadSeries(YamlNode node)
        {
            var series = string.Empty;
            var values = string.Empty;
            foreach (var (key, value) in Fields(node, "series", "series", "values"))
            {
                if (key == "series")
                {
                    series = Str(value);
                }
                else
                {
                    values = Str(value);
                }
            }

            return new InputSeries(series, values, Line(node));
        }

        private AlertRuleTest ReadAlertTest(YamlNode node)
        {
            var evalTime = TimeSpan.Zero;
            var alertName = string.Empty;
            var expected = new List<ExpectedAlert>();
            foreach (var (key, value) in Fields(node, "alertTestCase", "eval_time", "alertname", "exp_alerts"))
            {
                switch (key)
                {
                    case "eval_time":
                        evalTime = Duration(value) ?? TimeSpan.Zero;
                        break;
                    case "alertname":
                        alertName = Str(value);
                        break;
                    case "exp_alerts":
                        foreach (var alert in List(value))
                        {
                            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
                            foreach (var (k, v) in Fields(alert, "alert", "exp_labels", "exp_annotations"))
                            {
                                if (k == "exp_labels")
                                {
                                    labels = Map(v);
                                }
                                else
                                {
                                    annotations = Map(v);
                                }
                            }

                            expected.Add(new ExpectedAlert(labels, annotations));
                        }

                        break;
                }
            }

            return new AlertRuleTest(evalTime, alertName, expected, Line(node));
        }

        private PromqlExprTest ReadExprTest(YamlNode node)
        {
            var expr = string.Empty;
            var evalTime = TimeSpan.Zero;
            var samples = new List<ExpectedSample>();
            foreach (var (key, value) in Fields(node, "promqlTestCase", "expr", "eval_time", "exp_samples"))
            {
                switch (key)
                {
                    case "expr":
                        expr = Str(value);
                        break;
                    case "eval_time":
                        evalTime = Duration(value) ?? TimeSpan.Zero;
                        break;
                    case "exp_samples":
                        foreach (var sample in List(value))
                        {
                            var labels = string.Empty;
                            var v = 0.0;
                            foreach (var (k, field) in Fields(sample, "sample", "labels", "value"))
                            {
                                if (k == "labels")
                                {
                                    labels = Str(field);
                                }
                                else if (!Query.Parser.TryParseNumber(Str(field), out v))
                                {
                                    Errors.Add($"{file}:{LineText(field)}: invalid sample value \"{Str(field)}\"");
                                }
                            }

                            samples.Add(new ExpectedSample(labels, v, Line(sample)));
                        }

                        break;
                }
            }

            return new PromqlExprTest(expr, evalTime, samples, Line(node));
        }

        private IEnumerable<(string Key, YamlNode Value)> Fields(YamlNode node, string type, params string[] allowed)
        {
            if (node is not YamlMappingNode map)
            {
                if (!IsNull(node))
                {
                    Errors.Add($"{file}:{LineText(node)}: cannot unmarshal {Kind(node)} into {type}");
                }

                yield break;
            }

            foreach (var (keyNode, value) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (Array.IndexOf(allowed, key) < 0)
                {
                    Errors.Add($"{file}:{LineText(keyNode)}: field {key} not found in type main.{type}");
                    continue;
                }

                yield return (key, value);
            }
        }

        private IEnumerable<YamlNode> List(YamlNode node)
        {
            if (node is YamlSequenceNode seq)
            {
                return seq.Children;
            }

            if (!IsNull(node))
            {
                Errors.Add($"{file}:{LineText(node)}: cannot unmarshal {Kind(node)} into a list");
            }

            return [];
        }

        private Dictionary<string, string> Map(YamlNode node)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node is YamlMappingNode m)
            {
                foreach (var (k, v) in m.Children)
                {
                    map[Str(k)] = IsNull(v) ? string.Empty : Str(v);
                }
            }
            else if (!IsNull(node))
            {
                Errors.Add($"{file}:{LineText(node)}: cannot unmarshal {Kind(node)} into map[string]string");
            }

            return map;
        }

        private string Str(YamlNode node)
        {
            if (node is YamlScalarNode scalar)
            {
                return IsNull(node) ? string.Empty : scalar.Value ?? string.Empty;
            }

            Errors.Add($"{file}:{LineText(node)}: cannot unmarshal {Kind(node)} into string");
            return string.Empty;
        }

        private TimeSpan? Duration(YamlNode node)
        {
            var text = Str(node);
            if (PromDuration.TryParse(text, out var d))
            {
                return d;
            }

            Errors.Add($"{file}:{LineText(node)}: not a valid duration string: \"{text}\"");
            return null;
        }

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

        private static string Kind(YamlNode node) => node switch
        {
            YamlMappingNode => "!!map",
            YamlSequenceNode => "!!seq",
            _ => "!!str",
        };

        private static string LineText(YamlNode node) => node.Start.Line.ToString(CultureInfo.InvariantCulture);

        private static int Line(YamlNode node) => (int)node.Start.Line;
    }
}
