using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Opsmon.Core.Series;
using Opsmon.Query;
using Opsmon.Rules.RuleFiles;

namespace Opsmon.Rules.Alerting;

/// <summary>Settings of rule evaluation: the global evaluation interval and what templates see.</summary>
public sealed record RuleManagerOptions
{
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromMinutes(1);

    public IReadOnlyDictionary<string, string> ExternalLabels { get; init; } = new Dictionary<string, string>();

    public string ExternalUrl { get; init; } = string.Empty;

    /// <summary>How long a resolved alert is kept so notifiers see it (Prometheus: 15 minutes).</summary>
    public TimeSpan ResolvedRetention { get; init; } = TimeSpan.FromMinutes(15);

    public EngineOptions Engine { get; init; } = new();

    /// <summary>Prometheus's --rules.alert.for-grace-period: an alert restored after a restart waits at least this long before firing.</summary>
    public TimeSpan ForGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Prometheus's --rules.alert.for-outage-tolerance: alert state older than this is not restored after a restart.</summary>
    public TimeSpan OutageTolerance { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>The outcome of loading rule files: every file's errors; on any error nothing was replaced.</summary>
public sealed record RuleLoadResult(IReadOnlyList<RuleFileParseResult> Files)
{
    public bool Success => Files.All(f => f.IsValid);

    public IEnumerable<RuleFileError> Errors => Files.SelectMany(f => f.Errors);
}

/// <summary>
/// Holds the loaded rule groups and evaluates each on its interval, writing recordings, ALERTS and ALERTS_FOR_STATE
/// through the appender. Time comes only from the injected TimeProvider, so tests drive evaluation.
/// Thread-safe: evaluation, reload and the API snapshots take the same lock.
/// </summary>
public sealed class RuleManager
{
    private readonly Lock _lock = new();
    private readonly IAppender _appender;
    private readonly TimeProvider _time;
    private readonly RuleManagerOptions _options;
    private readonly RuleContext _context;
    private readonly ILogger _logger;
    private List<RuleGroup> _groups = [];
    private bool _loaded;

    public RuleManager(IQuerier querier, IAppender appender, TimeProvider time, RuleManagerOptions options, ILogger<RuleManager>? logger = null)
    {
        _appender = appender;
        _time = time;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _context = new RuleContext(new QueryEngine(querier, options.Engine, time), options.ExternalLabels, options.ExternalUrl, options.ResolvedRetention)
        {
            Querier = querier,
            ForGracePeriod = options.ForGracePeriod,
            OutageTolerance = options.OutageTolerance,
        };
    }

    public IReadOnlyList<RuleGroup> Groups
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups];
            }
        }
    }

    /// <summary>
    /// Parses and validates <paramref name="files"/>; when all are valid they replace the current groups (alert state
    /// carries over for unchanged rules), otherwise the current rules keep running and the errors are returned.
    /// A new group is first evaluated at its next slot (see <see cref="RuleGroup.EvaluationOffset"/>). The groups of
    /// the first successful load restore their pending alerts' ActiveAt from ALERTS_FOR_STATE at that evaluation, as
    /// Prometheus does after a restart; groups added by later reloads start afresh.
    /// </summary>
    public RuleLoadResult Reload(IEnumerable<string> files)
    {
        var parsed = files.Select(RuleFileParser.ParseFile).ToList();
        var result = new RuleLoadResult(parsed);
        if (!result.Success)
        {
            foreach (var error in result.Errors)
            {
                _logger.LogError("rule reload failed, keeping the previous rules: {Error}", error.ToString());
            }

            return result;
        }

        var now = _time.GetUtcNow();
        var groups = parsed.SelectMany(f => f.Groups).Select(g => new RuleGroup(g, _options.EvaluationInterval)).ToList();
        foreach (var group in groups)
        {
            group.NextEvaluation = group.NextSlotAfter(now);
        }

        lock (_lock)
        {
            if (!_loaded)
            {
                groups.ForEach(g => g.RequestRestore());
                _loaded = true;
            }

            foreach (var group in groups)
            {
                var previous = _groups.FirstOrDefault(g => g.File == group.File && g.Name == group.Name);
                if (previous is not null)
                {
                    group.CopyStateFrom(previous);
                }
            }

            _groups = groups;
        }

        return result;
    }

    /// <summary>
    /// Called after each <see cref="EvaluateDue"/> that ran a group, outside the lock, with the alerts Prometheus would
    /// send to Alertmanager from those groups: firing ones, and resolved ones still within the resolved retention
    /// (pending alerts are not sent). The routing dispatcher subscribes here.
    /// </summary>
    public Action<IReadOnlyList<Routing.AlertSnapshot>>? AlertsEvaluated { get; set; }

    /// <summary>Evaluates every group whose time has come; returns how many groups ran.</summary>
    public int EvaluateDue()
    {
        var now = _time.GetUtcNow();
        var ran = 0;
        var toSend = new List<Routing.AlertSnapshot>();
        try
        {
            lock (_lock)
            {
                ran = EvaluateDueLocked(now, toSend);
            }
        }
        finally
        {
            if (ran > 0)
            {
                AlertsEvaluated?.Invoke(toSend);
            }
        }

        return ran;
    }

    private int EvaluateDueLocked(DateTimeOffset now, List<Routing.AlertSnapshot> toSend)
    {
        var ran = 0;
        {
            foreach (var group in _groups)
            {
                if (group.NextEvaluation > now)
                {
                    continue;
                }

                // Evaluate at the group's latest slot, skipping missed ones instead of catching up, as Prometheus
                // does after a slow evaluation; the timestamps stay on the group's slots.
                var ts = group.NextEvaluation;
                while (ts + group.Interval <= now)
                {
                    ts += group.Interval;
                }

                group.Evaluate(ts, _context, _appender, _time);
                group.NextEvaluation = ts + group.Interval;
                ran++;
                foreach (var alert in group.Rules.OfType<AlertingRule>().SelectMany(r => r.AllAlerts()))
                {
                    if (alert.State == AlertState.Firing || alert.ResolvedAt is not null)
                    {
                        toSend.Add(Snapshot(alert));
                    }
                }
            }
        }

        return ran;
    }

    private Routing.AlertSnapshot Snapshot(Alert alert) => new(
        alert.Labels,
        alert.Annotations,
        alert.State == AlertState.Firing ? Routing.AlertSnapshot.Firing : Routing.AlertSnapshot.Resolved,
        alert.ActiveAt,
        alert.State == AlertState.Firing ? null : alert.ResolvedAt,
        alert.Value,
        _options.ExternalUrl);

    /// <summary>Evaluates groups on their intervals until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            EvaluateDue();
            DateTimeOffset next;
            lock (_lock)
            {
                next = _groups.Count == 0 ? _time.GetUtcNow() + _options.EvaluationInterval : _groups.Min(g => g.NextEvaluation);
            }

            var delay = next - _time.GetUtcNow();
            try
            {
                await Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Pending and firing alerts of every alerting rule.</summary>
    public IReadOnlyList<Alert> ActiveAlerts()
    {
        lock (_lock)
        {
            return [.. _groups.SelectMany(g => g.Rules).OfType<AlertingRule>().SelectMany(r => r.ActiveAlerts())];
        }
    }

    /// <summary>Writes the <c>data</c> object of /api/v1/rules: <c>{"groups":[...]}</c>.</summary>
    public void WriteRulesData(System.Text.Json.Utf8JsonWriter writer)
    {
        lock (_lock)
        {
            RulesApiJson.WriteRules(writer, _groups);
        }
    }

    /// <summary>Writes the <c>data</c> object of /api/v1/alerts: <c>{"alerts":[...]}</c>.</summary>
    public void WriteAlertsData(System.Text.Json.Utf8JsonWriter writer)
    {
        lock (_lock)
        {
            RulesApiJson.WriteAlerts(writer, _groups.SelectMany(g => g.Rules).OfType<AlertingRule>().SelectMany(r => r.ActiveAlerts()));
        }
    }
}
