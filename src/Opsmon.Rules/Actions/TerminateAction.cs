using System.Diagnostics;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>terminate's settings: which process (selector and pid label) and how long SIGTERM has before SIGKILL.</summary>
public sealed record TerminateSettings(ProcessSelector Selector, TimeSpan GracePeriod) : ActionSettings, ITimedSettings
{
    public TimeSpan? MinimumTimeout() => GracePeriod;

    public string MinimumTimeoutReason => "the grace_period between SIGTERM and SIGKILL";
}

/// <summary>
/// Terminates the offender: the process named by the alert's pid label, or the largest (resident memory) process
/// the selector matches. SIGTERM first; SIGKILL when it still runs after grace_period (as earlyoom escalates).
/// The process is identified by pid and start time, so a reused pid is never signalled.
/// </summary>
public sealed class TerminateAction(ActionSpec spec, ActionHost host) : IAction
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly TerminateSettings _settings = (TerminateSettings)spec.Settings;

    public string Name => spec.Name;

    public ActionSpec Spec => spec;

    internal static ActionSettings? Parse(ActionSection section)
    {
        var grace = section.Duration("grace_period") ?? TimeSpan.FromSeconds(10);
        var selector = ProcessSelector.Parse(section);
        return selector is null ? null : new TerminateSettings(selector, grace);
    }

    public ActionTargets Resolve(AlertSnapshot alert) => _settings.Selector.Choose(alert, host);

    public async Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        var p = run.Target.Process!;
        if (run.DryRun)
        {
            return ActionOutcome.Ok($"would send SIGTERM to {p.Describe()}, then SIGKILL if it still runs after {_settings.GracePeriod}");
        }

        if (!p.IsAlive(host.ProcRoot))
        {
            return ActionOutcome.Ok($"{p.Describe()} had already exited");
        }

        if (host.Signal(p.Pid, Signals.Term) is { } termError)
        {
            return ActionOutcome.Failed($"SIGTERM to {p.Describe()}: {termError}");
        }

        var waited = Stopwatch.StartNew();
        if (await ExitedWithinAsync(p, _settings.GracePeriod, cancellationToken))
        {
            return ActionOutcome.Ok($"sent SIGTERM to {p.Describe()}; it exited after {waited.Elapsed.TotalSeconds:0.0}s");
        }

        if (host.Signal(p.Pid, Signals.Kill) is { } killError)
        {
            return ActionOutcome.Failed($"SIGKILL to {p.Describe()} after {_settings.GracePeriod}: {killError}");
        }

        return await ExitedWithinAsync(p, TimeSpan.FromSeconds(5), cancellationToken)
            ? ActionOutcome.Ok($"sent SIGTERM to {p.Describe()}; it still ran after {_settings.GracePeriod}, sent SIGKILL; it exited")
            : ActionOutcome.Failed($"{p.Describe()} still runs 5s after SIGKILL (uninterruptible sleep?)");
    }

    private async Task<bool> ExitedWithinAsync(ProcessInfo p, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        while (p.IsAlive(host.ProcRoot))
        {
            if (started.Elapsed >= limit)
            {
                return false;
            }

            await Task.Delay(Poll, cancellationToken);
        }

        return true;
    }
}
