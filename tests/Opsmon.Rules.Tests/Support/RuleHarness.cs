using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.PromqlTest;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Testing;

namespace Opsmon.Rules.Tests.Support;

/// <summary>One rule group over an in-memory store loaded with series notation, evaluated minute by minute.</summary>
public sealed class RuleHarness
{
    public RuleHarness(string rulesYaml, params (string Series, string Values)[] input)
    {
        var parsed = RuleFileParser.Parse(rulesYaml, "test.yml");
        Assert.True(parsed.IsValid, string.Join('\n', parsed.Errors));
        Group = new RuleGroup(parsed.Groups[0], TimeSpan.FromMinutes(1));
        foreach (var (series, values) in input)
        {
            var labels = SeriesNotation.ParseLabels(series, out _)!;
            var expanded = SeriesNotation.ParseValues(values, out _)!;
            for (var i = 0; i < expanded.Count; i++)
            {
                if (expanded[i] is { } v)
                {
                    Storage.Append(labels, i * 60_000L, v);
                }
            }
        }

        Context = new RuleContext(new QueryEngine(Storage), new Dictionary<string, string>(), string.Empty, TimeSpan.FromMinutes(15));
    }

    public MemoryStorage Storage { get; } = new();

    public RuleGroup Group { get; }

    public RuleContext Context { get; }

    public AlertingRule Alerting => Group.Rules.OfType<AlertingRule>().Single();

    public void EvaluateAt(int minute) => Group.Evaluate(DateTimeOffset.UnixEpoch.AddMinutes(minute), Context, Storage, TimeProvider.System);

    public void EvaluateThrough(int lastMinute)
    {
        for (var m = 0; m <= lastMinute; m++)
        {
            EvaluateAt(m);
        }
    }

    /// <summary>The raw samples stored for a series, staleness markers included.</summary>
    public List<(long Minute, double Value)> Samples(Labels labels)
    {
        var series = Storage.Select(long.MinValue, long.MaxValue, [.. labels.AsSpan().ToArray().Select(l => new LabelMatcher(MatcherType.Equal, l.Name, l.Value))])
            .SingleOrDefault(s => s.Labels.Equals(labels));
        var result = new List<(long, double)>();
        if (series is null)
        {
            return result;
        }

        var it = series.Samples();
        while (it.MoveNext())
        {
            result.Add((it.Timestamp / 60_000, it.Value));
        }

        return result;
    }
}
