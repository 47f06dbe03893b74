using Microsoft.Extensions.Logging;
using Opsmon.Core.Metrics;

namespace Opsmon.Rules.Actions;

/// <summary>
/// Runs configured actions for alerts, with dry-run, timeout, cooldown, loop guard and audit.
/// PLACEHOLDER: the actions work fills this in; the constructor, <see cref="Names"/> and <see cref="WriteMetrics"/>
/// are the contract the agent's wiring relies on.
/// </summary>
public sealed class ActionRunner(ActionsConfig config, TimeProvider time, ILogger logger)
{
    /// <summary>The names of the configured actions, as receivers refer to them.</summary>
    public IReadOnlyCollection<string> Names { get; } = [];

    internal ActionsConfig Config => config;

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    /// <summary>
    /// The runner's own alerts (alertname OpsmonActionLoopGuard, one per action whose loop guard tripped): firing while
    /// the action is suspended, resolved once it may act again. The dispatcher routes them like rule alerts.
    /// </summary>
    public IReadOnlyList<Routing.AlertSnapshot> OwnAlerts() => [];

    /// <summary>Adds opsmon_action_runs_total{action,result} and the loop-guard gauges to a scrape.</summary>
    public void WriteMetrics(MetricSink sink)
    {
        _ = sink;
    }
}
