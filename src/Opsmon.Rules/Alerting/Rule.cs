using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Query.Ast;
using Opsmon.Rules.RuleFiles;

namespace Opsmon.Rules.Alerting;

/// <summary>Rule health as /api/v1/rules reports it.</summary>
public enum RuleHealth
{
    Unknown,
    Ok,
    Err,
}

/// <summary>What every rule evaluation needs besides the time: the engine and the template context.</summary>
public sealed record RuleContext(QueryEngine Engine, IReadOnlyDictionary<string, string> ExternalLabels, string ExternalUrl, TimeSpan ResolvedRetention)
{
    /// <summary>The store the ALERTS_FOR_STATE series are read back from when alert state is restored after a restart.</summary>
    public IQuerier? Querier { get; init; }

    /// <summary>Prometheus's --rules.alert.for-grace-period: a restored alert waits at least this long before firing.</summary>
    public TimeSpan ForGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Prometheus's --rules.alert.for-outage-tolerance: state older than this is not restored.</summary>
    public TimeSpan OutageTolerance { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>A recording or alerting rule: evaluates its expression at a time and returns the samples to write.</summary>
public abstract class Rule
{
    private protected Rule(RuleDefinition definition, Expr expr)
    {
        Definition = definition;
        Expr = expr;
    }

    public RuleDefinition Definition { get; }

    public string Name => Definition.Name;

    public string Query => Definition.Expr;

    internal Expr Expr { get; }

    public RuleHealth Health { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastEvaluation { get; private set; }

    public TimeSpan EvaluationTime { get; private set; }

    /// <summary>Builds the rule of a validated definition (its expression is known to parse).</summary>
    public static Rule Create(RuleDefinition definition)
    {
        var expr = Parser.Parse(definition.Expr).Expr ?? throw new ArgumentException($"rule {definition.Name}: expression does not parse", nameof(definition));
        return definition.IsAlerting ? new AlertingRule(definition, expr) : new RecordingRule(definition, expr);
    }

    /// <summary>Evaluates at <paramref name="ts"/>; on failure records the error and returns null (nothing is written).</summary>
    internal IReadOnlyList<Sample>? Evaluate(DateTimeOffset ts, RuleContext context, int limit, TimeProvider time)
    {
        var started = time.GetTimestamp();
        LastEvaluation = ts;
        try
        {
            var samples = Eval(ts, context, limit, out var error);
            Health = error is null ? RuleHealth.Ok : RuleHealth.Err;
            LastError = error;
            return error is null ? samples : null;
        }
        finally
        {
            EvaluationTime = time.GetElapsedTime(started);
        }
    }

    private protected abstract IReadOnlyList<Sample> Eval(DateTimeOffset ts, RuleContext context, int limit, out string? error);

    /// <summary>Runs the expression; a scalar becomes one sample without labels, as Prometheus's rule query function does.</summary>
    private protected IReadOnlyList<Sample>? RunQuery(DateTimeOffset ts, RuleContext context, out string? error)
    {
        var ms = ts.ToUnixTimeMilliseconds();
        var result = context.Engine.InstantQuery(Expr, ms);
        error = result.Error;
        return result.Value switch
        {
            _ when result.Error is not null => null,
            VectorValue v => v.Samples,
            ScalarValue s => [new Sample(Labels.Empty, ms, s.V)],
            _ => Fail(out error),
        };

        static IReadOnlyList<Sample>? Fail(out string? error)
        {
            error = "rule result is not a vector or scalar";
            return null;
        }
    }
}
