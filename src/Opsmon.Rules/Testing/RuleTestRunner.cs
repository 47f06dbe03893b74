using System.Globalization;
using System.Text;
using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.PromqlTest;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.RuleFiles;

namespace Opsmon.Rules.Testing;

/// <summary>The outcome of one unit-test file: pass, or the failures in promtool's wording.</summary>
public sealed record RuleTestReport(string File, IReadOnlyList<string> Errors)
{
    public bool Passed => Errors.Count == 0;

    /// <summary>promtool's layout: "Unit Testing:  FILE" then "  SUCCESS" or "  FAILED:" and the failures.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append("Unit Testing:  ").Append(File).Append('\n');
        if (Passed)
        {
            sb.Append("  SUCCESS\n");
            return sb.ToString();
        }

        sb.Append("  FAILED:\n");
        foreach (var error in Errors)
        {
            sb.Append(error).Append('\n');
        }

        return sb.ToString();
    }
}

/// <summary>
/// Runs promtool's <c>test rules</c> files: loads input_series, evaluates every rule group each evaluation_interval
/// from 0 to the last eval_time (writing recordings and ALERTS back), compares firing alerts at each alert_rule_test's
/// time and the results of each promql_expr_test.
/// </summary>
public static class RuleTestRunner
{
    public static RuleTestReport RunFile(string path) => RunFile(path, TimeProvider.System);

    public static RuleTestReport RunFile(string path, TimeProvider time)
    {
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new RuleTestReport(path, [e.Message]);
        }

        return Run(yaml, path, time);
    }

    public static RuleTestReport Run(string yaml, string path, TimeProvider time)
    {
        var (file, parseErrors) = RuleTestFileParser.Parse(yaml, path);
        if (file is null)
        {
            return new RuleTestReport(path, [.. parseErrors.Select(e => "    " + e)]);
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var ruleFiles = new List<RuleFileParseResult>();
        foreach (var pattern in file.RuleFiles)
        {
            var matches = ExpandGlob(baseDir, pattern);
            if (matches.Count == 0)
            {
                return new RuleTestReport(path, [$"    {pattern}: no such rule file"]);
            }

            ruleFiles.AddRange(matches.Select(RuleFileParser.ParseFile));
        }

        var ruleErrors = ruleFiles.SelectMany(f => f.Errors).Select(e => "    " + e).ToList();
        if (ruleErrors.Count > 0)
        {
            return new RuleTestReport(path, ruleErrors);
        }

        var errors = new List<string>();
        foreach (var group in file.Tests)
        {
            var groupErrors = RunGroup(file, group, ruleFiles, time);
            if (groupErrors.Count > 0)
            {
                errors.Add(group.Name.Length > 0 ? $"    name: {group.Name}," : string.Empty);
                errors.AddRange(groupErrors);
            }
        }

        return new RuleTestReport(path, [.. errors.Where(e => e.Length > 0)]);
    }

    private static List<string> RunGroup(RuleTestFile file, RuleTestGroup test, List<RuleFileParseResult> ruleFiles, TimeProvider time)
    {
        var errors = new List<string>();
        var storage = new MemoryStorage();
        var loadInterval = test.Interval ?? file.EvaluationInterval;
        foreach (var input in test.InputSeries)
        {
            var labels = SeriesNotation.ParseLabels(input.Series, out var labelError);
            var values = SeriesNotation.ParseValues(input.Values, out var valueError);
            if (labels is null || values is null)
            {
                errors.Add($"    line {input.Line.ToString(CultureInfo.InvariantCulture)}: {labelError ?? valueError}");
                continue;
            }

            for (var i = 0; i < values.Count; i++)
            {
                if (values[i] is { } v)
                {
                    storage.Append(labels, (long)(i * loadInterval.TotalMilliseconds), v);
                }
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var engine = new QueryEngine(storage, new EngineOptions(), time);
        var context = new RuleContext(engine, test.ExternalLabels, test.ExternalUrl, TimeSpan.FromMinutes(15));
        var groups = OrderGroups(ruleFiles.SelectMany(f => f.Groups).Select(g => new RuleGroup(g, file.EvaluationInterval)), file.GroupEvalOrder);
        var alertTimes = test.AlertRuleTests.Select(t => t.EvalTime).Distinct().Order().ToList();
        var maxTime = test.AlertRuleTests.Select(t => t.EvalTime).Concat(test.PromqlExprTests.Select(t => t.EvalTime)).DefaultIfEmpty(TimeSpan.Zero).Max();
        var step = file.EvaluationInterval;
        var next = 0;
        for (var ts = TimeSpan.Zero; ts <= maxTime; ts += step)
        {
            var at = DateTimeOffset.UnixEpoch + ts;
            foreach (var group in groups)
            {
                group.Evaluate(at, context, storage, time);
            }

            // An alert test is checked after the last evaluation at or before its eval_time.
            while (next < alertTimes.Count && ts <= alertTimes[next] && alertTimes[next] < ts + step)
            {
                foreach (var alertTest in test.AlertRuleTests.Where(t => t.EvalTime == alertTimes[next]))
                {
                    CheckAlerts(alertTest, groups, errors);
                }

                next++;
            }
        }

        foreach (var exprTest in test.PromqlExprTests)
        {
            CheckExpr(exprTest, engine, errors);
        }

        return errors;
    }

    private static List<RuleGroup> OrderGroups(IEnumerable<RuleGroup> groups, IReadOnlyList<string> order)
    {
        var list = groups.ToList();
        if (order.Count == 0)
        {
            return [.. list.OrderBy(g => g.Name, StringComparer.Ordinal)];
        }

        return [.. list.OrderBy(g => order.ToList().IndexOf(g.Name) is var i && i < 0 ? int.MaxValue : i)];
    }

    private static void CheckAlerts(AlertRuleTest test, List<RuleGroup> groups, List<string> errors)
    {
        var got = groups.SelectMany(g => g.Rules).OfType<AlertingRule>().Where(r => r.Name == test.AlertName)
            .SelectMany(r => r.ActiveAlerts()).Where(a => a.State == AlertState.Firing)
            .Select(a => (Labels: a.Labels, Annotations: Labels.From(a.Annotations.Select(kv => new Label(kv.Key, kv.Value)))))
            .OrderBy(a => a.Labels).ThenBy(a => a.Annotations).ToList();
        var expected = test.ExpectedAlerts
            .Select(e => (Labels: Labels.From(e.Labels.Select(kv => new Label(kv.Key, kv.Value)).Append(new Label(AlertingRule.AlertNameLabel, test.AlertName))),
                Annotations: Labels.From(e.Annotations.Select(kv => new Label(kv.Key, kv.Value)))))
            .OrderBy(a => a.Labels).ThenBy(a => a.Annotations).ToList();
        var same = got.Count == expected.Count && got.Zip(expected).All(p => p.First.Labels.Equals(p.Second.Labels) && p.First.Annotations.Equals(p.Second.Annotations));
        if (!same)
        {
            errors.Add($"    alertname: {test.AlertName}, time: {PromDuration.Format(test.EvalTime)}, \n        exp:{FormatAlerts(expected)}, \n        got:{FormatAlerts(got)}");
        }
    }

    private static string FormatAlerts(List<(Labels Labels, Labels Annotations)> alerts)
    {
        if (alerts.Count == 0)
        {
            return "[]";
        }

        var sb = new StringBuilder("[\n");
        for (var i = 0; i < alerts.Count; i++)
        {
            sb.Append("            ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(":\n");
            sb.Append("              Labels:").Append(alerts[i].Labels.ToString()).Append('\n');
            sb.Append("              Annotations:").Append(alerts[i].Annotations.ToString()).Append('\n');
        }

        return sb.Append("            ]").ToString();
    }

    private static void CheckExpr(PromqlExprTest test, QueryEngine engine, List<string> errors)
    {
        var at = (long)test.EvalTime.TotalMilliseconds;
        var result = engine.InstantQuery(test.Expr, at);
        var header = $"    expr: \"{test.Expr}\", time: {PromDuration.Format(test.EvalTime)}";
        if (!result.IsSuccess)
        {
            errors.Add($"{header}, err: {result.Error}");
            return;
        }

        List<(Labels Labels, double Value)> got;
        switch (result.Value)
        {
            case VectorValue v:
                got = [.. v.Samples.Select(s => (s.Metric, s.V))];
                break;
            case ScalarValue s:
                got = [(Labels.Empty, s.V)];
                break;
            default:
                errors.Add($"{header}, err: expression did not return a vector or scalar");
                return;
        }

        var expected = new List<(Labels Labels, double Value)>();
        foreach (var sample in test.ExpectedSamples)
        {
            var labels = SeriesNotation.ParseLabels(sample.Labels, out var error);
            if (labels is null)
            {
                errors.Add($"{header}, err: {error}");
                return;
            }

            expected.Add((labels, sample.Value));
        }

        got.Sort((a, b) => a.Labels.CompareTo(b.Labels));
        expected.Sort((a, b) => a.Labels.CompareTo(b.Labels));
        var same = got.Count == expected.Count && got.Zip(expected).All(p => p.First.Labels.Equals(p.Second.Labels) && SameValue(p.First.Value, p.Second.Value));
        if (!same)
        {
            errors.Add($"{header},\n        exp: {FormatSamples(expected)}\n        got: {FormatSamples(got)}");
        }
    }

    // promtool 2.42 compares the parsed floats exactly; NaN is equal to NaN there because it compares their bits.
    private static bool SameValue(double a, double b) => a.Equals(b);

    private static string FormatSamples(List<(Labels Labels, double Value)> samples) =>
        "#[" + string.Join(", ", samples.Select(s => s.Labels.ToString() + " " + Templating.GoFormat.Float(s.Value))) + "]";

    private static List<string> ExpandGlob(string baseDir, string pattern)
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDir, pattern);
        var dir = Path.GetDirectoryName(full) ?? baseDir;
        var name = Path.GetFileName(full);
        if (!name.Contains('*', StringComparison.Ordinal) && !name.Contains('?', StringComparison.Ordinal))
        {
            return File.Exists(full) ? [full] : [];
        }

        return Directory.Exists(dir) ? [.. Directory.GetFiles(dir, name).Order(StringComparer.Ordinal)] : [];
    }
}
