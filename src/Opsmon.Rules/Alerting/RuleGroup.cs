using Opsmon.Core.Series;
using Opsmon.Rules.RuleFiles;

namespace Opsmon.Rules.Alerting;

/// <summary>
/// A group of rules evaluated in order at one timestamp; each rule's samples are appended and committed before the
/// next rule runs (so later rules see earlier recordings), and series a rule stops returning get a staleness marker.
/// </summary>
public sealed class RuleGroup
{
    private readonly List<HashSet<Labels>> _previousSeries;

    public RuleGroup(RuleGroupDefinition definition, TimeSpan defaultInterval)
    {
        Definition = definition;
        Interval = definition.Interval is { } i && i > TimeSpan.Zero ? i : defaultInterval;
        Rules = [.. definition.Rules.Select(Rule.Create)];
        _previousSeries = [.. Rules.Select(_ => new HashSet<Labels>())];
        EvaluationOffset = OffsetFor(definition.File, definition.Name, Interval);
    }

    public RuleGroupDefinition Definition { get; }

    public string Name => Definition.Name;

    public string File => Definition.File;

    public TimeSpan Interval { get; }

    public int Limit => Definition.Limit;

    public IReadOnlyList<Rule> Rules { get; }

    public DateTimeOffset? LastEvaluation { get; private set; }

    public TimeSpan EvaluationTime { get; private set; }

    /// <summary>When the manager next evaluates this group.</summary>
    public DateTimeOffset NextEvaluation { get; internal set; }

    /// <summary>
    /// Where in each interval this group is evaluated: its evaluation timestamps are <c>k × Interval + EvaluationOffset</c>
    /// since the Unix epoch. The offset comes from a hash of the file and group name, as Prometheus's Group.EvalTimestamp
    /// does, so that groups are spread over the interval instead of all running at once, and a group keeps its slot
    /// across restarts and reloads.
    /// </summary>
    public TimeSpan EvaluationOffset { get; }

    /// <summary>The first evaluation slot strictly after <paramref name="now"/>.</summary>
    public DateTimeOffset NextSlotAfter(DateTimeOffset now)
    {
        var interval = Interval.Ticks;
        var adjusted = (now - DateTimeOffset.UnixEpoch).Ticks - EvaluationOffset.Ticks;
        var previous = adjusted - (((adjusted % interval) + interval) % interval) + EvaluationOffset.Ticks;
        return DateTimeOffset.UnixEpoch.AddTicks(previous + interval);
    }

    /// <summary>The group's offset within <paramref name="interval"/>, in whole milliseconds (sample timestamps are milliseconds).</summary>
    public static TimeSpan OffsetFor(string file, string name, TimeSpan interval)
    {
        // FNV-1a over UTF-8 "file\xffname": stable across processes, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(file + "\xff" + name))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        var intervalMs = (ulong)Math.Max(1, (long)interval.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(hash % intervalMs);
    }

    /// <summary>Marks the alerting rules to restore their state from ALERTS_FOR_STATE at their first evaluation.</summary>
    internal void RequestRestore()
    {
        foreach (var rule in Rules.OfType<AlertingRule>())
        {
            rule.RestorePending = true;
        }
    }

    public void Evaluate(DateTimeOffset ts, RuleContext context, IAppender appender, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var ms = ts.ToUnixTimeMilliseconds();
        for (var i = 0; i < Rules.Count; i++)
        {
            var samples = Rules[i].Evaluate(ts, context, Limit, time);
            if (samples is null)
            {
                continue;
            }

            var current = new HashSet<Labels>();
            foreach (var sample in samples)
            {
                if (current.Add(sample.Metric))
                {
                    appender.Append(sample.Metric, ms, sample.V);
                }
            }

            foreach (var gone in _previousSeries[i])
            {
                if (!current.Contains(gone))
                {
                    appender.Append(gone, ms, StaleNaN.Value);
                }
            }

            appender.Commit();
            _previousSeries[i] = current;
        }

        LastEvaluation = ts;
        EvaluationTime = time.GetElapsedTime(started);
    }

    /// <summary>Takes over alert state and staleness tracking from the group this one replaces, rule by rule (same name and query).</summary>
    internal void CopyStateFrom(RuleGroup previous)
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            var match = -1;
            for (var j = 0; j < previous.Rules.Count; j++)
            {
                if (previous.Rules[j].Name == Rules[i].Name && previous.Rules[j].Query == Rules[i].Query &&
                    previous.Rules[j].GetType() == Rules[i].GetType())
                {
                    match = j;
                    break;
                }
            }

            if (match < 0)
            {
                continue;
            }

            _previousSeries[i] = previous._previousSeries[match];
            if (Rules[i] is AlertingRule alerting && previous.Rules[match] is AlertingRule old)
            {
                alerting.CopyStateFrom(old);
            }
        }

        // A changed interval moves the group to the slots of the new one.
        if (previous.Interval == Interval)
        {
            NextEvaluation = previous.NextEvaluation;
        }
    }
}
