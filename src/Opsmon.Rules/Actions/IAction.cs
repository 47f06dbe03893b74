using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>
/// One configured action (one sealed class per type, one file each). The runner owns everything common to all
/// actions (matching, cooldown, loop guard, dry run, timeout, audit); an action only says what it would act on
/// for an alert and how it acts.
/// </summary>
public interface IAction
{
    /// <summary>The configured name, as receivers and audit records name it.</summary>
    string Name { get; }

    ActionSpec Spec { get; }

    /// <summary>
    /// What this alert asks the action to act on: usually one target; a target with a <see cref="ActionTarget.Refusal"/>
    /// is recorded and never run. No target at all is recorded as a failure with <paramref name="alert"/>'s reason.
    /// </summary>
    ActionTargets Resolve(AlertSnapshot alert);

    /// <summary>Acts on one target, or, when <see cref="ActionRun.DryRun"/> is set, says what it would do and changes nothing.</summary>
    Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken);
}

/// <summary>What an action acts on. <see cref="Key"/> identifies it for the cooldown (per action and target).</summary>
public sealed record ActionTarget(string Key, string Description)
{
    /// <summary>Why a safety rule forbids acting on this target; null when it may be acted on.</summary>
    public string? Refusal { get; init; }

    /// <summary>The process, for the actions that act on one.</summary>
    public ProcessInfo? Process { get; init; }

    public static ActionTarget Refused(string key, string description, string reason) => new(key, description) { Refusal = reason };
}

/// <summary>The targets an alert resolves to, or the reason there are none.</summary>
public sealed record ActionTargets(IReadOnlyList<ActionTarget> Targets, string? NoTargetReason = null)
{
    public static ActionTargets One(ActionTarget target) => new([target]);

    public static ActionTargets None(string reason) => new([], reason);
}

/// <summary>One run of an action on one target, for one alert of a notification, at <paramref name="Now"/> (the runner's clock).</summary>
public sealed record ActionRun(ActionTarget Target, AlertSnapshot Alert, Notification Notification, bool DryRun, DateTimeOffset Now);

/// <summary>How a run went: its (bounded) output, and the error when it failed.</summary>
public sealed record ActionOutcome(bool Success, string? Output, string? Error = null)
{
    public static ActionOutcome Ok(string? output) => new(true, output);

    public static ActionOutcome Failed(string error, string? output = null) => new(false, output, error);
}
