using Microsoft.Extensions.Logging;
using Opsmon.Configuration;
using Opsmon.Core.Metrics;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.Routing;

namespace Opsmon.Agent;

/// <summary>
/// The agent's alert path after the rule engine: the action runner, and the dispatcher built from the config's route
/// and receivers, fed after every evaluation with the rule engine's alerts plus the runner's own (loop guard) alerts.
/// Without a configured route alerts are evaluated and served by the API but sent nowhere.
/// </summary>
public sealed class AlertRouting
{
    private readonly RuleManager _rules;
    private readonly OpsmonConfig _config;

    public AlertRouting(OpsmonConfig config, RuleManager rules, HttpClient http, string externalUrl, TimeProvider time, ILoggerFactory loggers)
    {
        _rules = rules;
        _config = config;
        Runner = new ActionRunner(config.Actions, time, loggers.CreateLogger("actions"));
        if (config.Routing.Route is { } route)
        {
            var receivers = ReceiverIntegrations.Build(config.Routing, http, externalUrl, loggers.CreateLogger("notifications"),
                names => new ActionIntegration(Runner, names));
            Dispatcher = new Dispatcher(route, receivers, time, loggers.CreateLogger("routing"));
        }

        rules.AlertsEvaluated = OnEvaluated;
    }

    public ActionRunner Runner { get; }

    /// <summary>Null when the config has no route.</summary>
    public Dispatcher? Dispatcher { get; }

    /// <summary>Runs the dispatcher's flushes until cancelled (at once when there is nothing to route).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Dispatcher?.RunAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>The dispatcher's notification counters and the runner's action metrics.</summary>
    public void WriteMetrics(MetricSink sink)
    {
        Dispatcher?.WriteMetrics(sink);
        Runner.WriteMetrics(sink);
    }

    private void OnEvaluated(IReadOnlyList<AlertSnapshot> alerts)
    {
        if (Dispatcher is null)
        {
            return;
        }

        // The longest group interval bounds how long a firing alert may go unreported before it counts as resolved.
        var groups = _rules.Groups;
        var interval = groups.Count == 0 ? _config.EvaluationInterval : groups.Max(g => g.Interval);
        Dispatcher.Receive([.. alerts, .. Runner.OwnAlerts()], interval);
    }
}
