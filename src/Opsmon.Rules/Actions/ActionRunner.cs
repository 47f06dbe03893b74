using Microsoft.Extensions.Logging;
using Opsmon.Core.Metrics;
using Opsmon.Core.Series;
using Opsmon.Rules.Audit;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>
/// Runs the configured actions for alerts, with what every action shares: the alert must satisfy the action's
/// <c>match:</c>; a target run less than <c>cooldown</c> ago is skipped; after <c>max_runs</c> runs within
/// <c>window</c> the loop guard suspends the action (recorded, and raised as OpsmonActionLoopGuard) until a whole
/// window has passed since its last run; <c>dry_run</c> decides and records without changing anything; each run
/// has a <c>timeout</c>. Every decision is an audit record and a count in opsmon_action_runs_total{action,result}.
/// Only firing alerts are acted on.
/// </summary>
public sealed class ActionRunner
{
    public const string LoopGuardAlertName = "OpsmonActionLoopGuard";

    // Prometheus keeps sending a resolved alert for 15 minutes (resolvedRetention); the loop-guard alert does the same.
    private static readonly TimeSpan ResolvedRetention = TimeSpan.FromMinutes(15);
    private const int RecentRecords = 200;

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, IAction> _actions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Action, string Result), long> _runs = [];
    private readonly Queue<AuditRecord> _recent = new();
    private readonly Lock _lock = new();

    public ActionRunner(ActionsConfig config, TimeProvider time, ILogger logger)
        : this(config, time, logger, ActionHost.Real)
    {
    }

    public ActionRunner(ActionsConfig config, TimeProvider time, ILogger logger, ActionHost host)
    {
        _time = time;
        _logger = logger;
        foreach (var spec in config.Actions)
        {
            _actions[spec.Name] = ActionCatalog.Create(spec, host);
            _states[spec.Name] = new ActionState();
            foreach (var result in AuditResult.All)
            {
                _runs[(spec.Name, result)] = 0;
            }
        }

        Names = [.. config.Actions.Select(a => a.Name)];
        Audit = config.AuditLog is { } path ? new AuditLog(path, logger) : null;
    }

    /// <summary>The names of the configured actions, as receivers refer to them.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>The audit log; null when the config gave no path (records are then only logged and kept in <see cref="Recent"/>).</summary>
    public AuditLog? Audit { get; }

    /// <summary>The latest audit records (up to 200), oldest first.</summary>
    public IReadOnlyList<AuditRecord> Recent
    {
        get
        {
            lock (_lock)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>
    /// Decides and, where allowed, runs action <paramref name="actionName"/> for one alert of a notification.
    /// Returns the audit records of the decisions (none when the alert is not firing or does not satisfy match:).
    /// </summary>
    public async Task<IReadOnlyList<AuditRecord>> RunAsync(string actionName, AlertSnapshot alert, Notification notification, CancellationToken cancellationToken)
    {
        if (!_actions.TryGetValue(actionName, out var action))
        {
            throw new ArgumentException($"no action named '{actionName}'; configured: {string.Join(", ", Names)}", nameof(actionName));
        }

        var spec = action.Spec;
        if (!alert.IsFiring)
        {
            return [];
        }

        if (!spec.Matches(alert.Labels))
        {
            _logger.LogDebug("action {Action}: alert {Alert} does not satisfy its match: selector", spec.Name, alert.Labels);
            return [];
        }

        ActionTargets resolved;
        try
        {
            resolved = action.Resolve(alert);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            resolved = ActionTargets.None($"cannot choose a target: {e.Message}");
        }

        if (resolved.Targets.Count == 0)
        {
            var target = new ActionTarget("none", "no target");
            return [Record(spec, alert, target, AuditResult.Failed, null, resolved.NoTargetReason ?? "no target")];
        }

        var records = new List<AuditRecord>();
        foreach (var target in resolved.Targets)
        {
            if (target.Refusal is { } refusal)
            {
                records.Add(Record(spec, alert, target, AuditResult.Refused, null, refusal));
                continue;
            }

            var now = _time.GetUtcNow();
            var decision = Decide(spec, target, now);
            if (decision is not null)
            {
                records.Add(Record(spec, alert, target, decision.Value.Result, null, decision.Value.Reason));
                continue;
            }

            var outcome = await ExecuteAsync(action, new ActionRun(target, alert, notification, spec.DryRun, now), cancellationToken);
            var result = !outcome.Success ? AuditResult.Failed : spec.DryRun ? AuditResult.DryRun : AuditResult.Ok;
            records.Add(Record(spec, alert, target, result, outcome.Output, outcome.Error));
        }

        return records;
    }

    /// <summary>Null when the action may run on the target now (the run is then counted), else the result and why not.</summary>
    private (string Result, string Reason)? Decide(ActionSpec spec, ActionTarget target, DateTimeOffset now)
    {
        lock (_lock)
        {
            var state = _states[spec.Name];
            Refresh(spec, state, now);
            if (state.LastRun.TryGetValue(target.Key, out var last) && now - last < spec.Cooldown)
            {
                return (AuditResult.SkippedCooldown, $"ran on this target {Format(now - last)} ago; cooldown is {Format(spec.Cooldown)}");
            }

            if (state.SuspendedSince is null && state.Runs.Count >= spec.MaxRuns)
            {
                state.SuspendedSince = now;
                state.SuspendedUntil = state.Runs[^1] + spec.Window;
                _logger.LogWarning(
                    "action {Action}: loop guard tripped ({Runs} runs within {Window}); suspended until {Until:o}",
                    spec.Name, state.Runs.Count, spec.Window, state.SuspendedUntil);
            }

            if (state.SuspendedSince is not null)
            {
                return (AuditResult.Suspended, $"loop guard: {state.Runs.Count} runs within {Format(spec.Window)} (max_runs {spec.MaxRuns}); suspended until {state.SuspendedUntil:o}");
            }

            state.Runs.Add(now);
            state.LastRun[target.Key] = now;
            return null;
        }
    }

    /// <summary>Forgets runs older than the window and lifts a suspension whose window has passed.</summary>
    private static void Refresh(ActionSpec spec, ActionState state, DateTimeOffset now)
    {
        if (state.SuspendedSince is { } since && now >= state.SuspendedUntil)
        {
            state.ResolvedStartsAt = since;
            state.ResolvedAt = state.SuspendedUntil;
            state.SuspendedSince = null;
            state.SuspendedUntil = null;
            state.Runs.Clear();
        }

        state.Runs.RemoveAll(t => now - t >= spec.Window);
        foreach (var key in state.LastRun.Where(e => now - e.Value >= spec.Cooldown).Select(e => e.Key).ToList())
        {
            state.LastRun.Remove(key);
        }
    }

    private async Task<ActionOutcome> ExecuteAsync(IAction action, ActionRun run, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(action.Spec.Timeout);
        try
        {
            return await action.RunAsync(run, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ActionOutcome.Failed($"timed out after {Format(action.Spec.Timeout)}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return ActionOutcome.Failed(e.Message);
        }
    }

    private AuditRecord Record(ActionSpec spec, AlertSnapshot alert, ActionTarget target, string result, string? output, string? error)
    {
        var record = new AuditRecord(
            _time.GetUtcNow(), alert.Labels.Get("alertname"), alert.Labels, spec.Name, spec.Type, target.Description,
            spec.DryRun, result, string.IsNullOrEmpty(output) ? null : output, error);
        lock (_lock)
        {
            _runs[(spec.Name, result)] = _runs.GetValueOrDefault((spec.Name, result)) + 1;
            _recent.Enqueue(record);
            while (_recent.Count > RecentRecords)
            {
                _recent.Dequeue();
            }
        }

        Audit?.Append(record);
        var level = result is AuditResult.Ok or AuditResult.DryRun or AuditResult.SkippedCooldown ? LogLevel.Information : LogLevel.Warning;
        _logger.Log(level, "action {Action} ({Type}) on {Target} for {Alert}: {Result}{Detail}",
            spec.Name, spec.Type, target.Description, record.AlertName, result, error is null ? "" : ": " + error);
        return record;
    }

    /// <summary>
    /// The runner's own alerts (alertname OpsmonActionLoopGuard, one per action whose loop guard tripped): firing while
    /// the action is suspended, resolved once it may act again (and for 15 minutes after, as Prometheus keeps resolved
    /// alerts). The dispatcher routes them like rule alerts.
    /// </summary>
    public IReadOnlyList<AlertSnapshot> OwnAlerts()
    {
        var now = _time.GetUtcNow();
        var alerts = new List<AlertSnapshot>();
        lock (_lock)
        {
            foreach (var (name, state) in _states)
            {
                var spec = _actions[name].Spec;
                Refresh(spec, state, now);
                var labels = Labels.From(("alertname", LoopGuardAlertName), ("action", name), ("severity", "warning"), ("type", spec.Type));
                if (state.SuspendedSince is { } since)
                {
                    var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["summary"] = $"Action {name} stopped acting: its loop guard tripped.",
                        ["description"] = $"Action {name} ran {state.Runs.Count} times within {Format(spec.Window)} (max_runs {spec.MaxRuns}); it is suspended until {state.SuspendedUntil:o}. Look at what keeps firing the alert: the action is not fixing it.",
                    };
                    alerts.Add(new AlertSnapshot(labels, annotations, AlertSnapshot.Firing, since, null, state.Runs.Count, string.Empty));
                }
                else if (state.ResolvedAt is { } end && now - end < ResolvedRetention)
                {
                    var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["summary"] = $"Action {name} may act again: its loop-guard window has passed.",
                    };
                    alerts.Add(new AlertSnapshot(labels, annotations, AlertSnapshot.Resolved, state.ResolvedStartsAt ?? end, end, 0, string.Empty));
                }
            }
        }

        return alerts;
    }

    /// <summary>Adds opsmon_action_runs_total{action,result} and opsmon_action_suspended{action} to a scrape.</summary>
    public void WriteMetrics(MetricSink sink)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_states.Count == 0)
            {
                return;
            }

            var runs = sink.Family("opsmon_action_runs_total", "Decisions of configured actions by result (ok, failed, skipped_cooldown, suspended, dry_run, refused).", MetricType.Counter, "action", "result");
            foreach (var ((action, result), count) in _runs.OrderBy(e => e.Key.Action, StringComparer.Ordinal).ThenBy(e => e.Key.Result, StringComparer.Ordinal))
            {
                runs.Add(count, action, result);
            }

            var suspended = sink.Family("opsmon_action_suspended", "1 while the action's loop guard keeps it from acting.", MetricType.Gauge, "action");
            foreach (var (name, state) in _states.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                Refresh(_actions[name].Spec, state, now);
                suspended.Add(state.SuspendedSince is null ? 0 : 1, name);
            }
        }
    }

    /// <summary>A duration as Prometheus writes one: 1h30m, 5m, 10s, 250ms.</summary>
    internal static string Format(TimeSpan span)
    {
        var ms = (long)span.TotalMilliseconds;
        if (ms <= 0)
        {
            return "0s";
        }

        var text = new System.Text.StringBuilder();
        (long Size, string Unit)[] units = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")];
        foreach (var (size, unit) in units)
        {
            if (ms >= size)
            {
                text.Append((ms / size).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(unit);
                ms %= size;
            }
        }

        return text.ToString();
    }

    private sealed class ActionState
    {
        public List<DateTimeOffset> Runs { get; } = [];

        public Dictionary<string, DateTimeOffset> LastRun { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? SuspendedSince { get; set; }

        public DateTimeOffset? SuspendedUntil { get; set; }

        public DateTimeOffset? ResolvedStartsAt { get; set; }

        public DateTimeOffset? ResolvedAt { get; set; }
    }
}
