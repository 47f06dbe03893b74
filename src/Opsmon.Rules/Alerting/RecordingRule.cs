using System.Globalization;
using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.Ast;
using Opsmon.Rules.RuleFiles;

namespace Opsmon.Rules.Alerting;

/// <summary>A recording rule: each result sample is written back as <c>record{result labels, rule labels}</c>.</summary>
public sealed class RecordingRule : Rule
{
    internal RecordingRule(RuleDefinition definition, Expr expr)
        : base(definition, expr)
    {
    }

    private protected override IReadOnlyList<Sample> Eval(DateTimeOffset ts, RuleContext context, int limit, out string? error)
    {
        var result = RunQuery(ts, context, out error);
        if (result is null)
        {
            return [];
        }

        var output = new List<Sample>(result.Count);
        var seen = new HashSet<Labels>();
        foreach (var sample in result)
        {
            var labels = sample.Metric.With(Labels.MetricName, Name);
            foreach (var (name, value) in Definition.Labels)
            {
                labels = value.Length == 0 ? labels.Without(name) : labels.With(name, value);
            }

            if (!seen.Add(labels))
            {
                error = "vector contains metrics with the same labelset after applying rule labels";
                return [];
            }

            output.Add(new Sample(labels, ts.ToUnixTimeMilliseconds(), sample.V));
        }

        if (limit > 0 && output.Count > limit)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"exceeded limit of {limit} with {output.Count} series");
            return [];
        }

        return output;
    }
}
