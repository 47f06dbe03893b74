using System.Globalization;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>priority's settings: the process selector, a nice value, and an I/O scheduling class and level.</summary>
public sealed record PrioritySettings(ProcessSelector Selector, int? Nice, int? IoClass, int? IoLevel) : ActionSettings;

/// <summary>
/// Lowers (or raises) a process's priority: renice (setpriority) and ionice (ioprio_set), applied to every thread of
/// the process, since Linux keeps both per thread and renice(1) alone changes only the main one.
/// </summary>
public sealed class PriorityAction(ActionSpec spec, ActionHost host) : IAction
{
    private static readonly string[] IoClasses = ["none", "realtime", "best-effort", "idle"];
    private readonly PrioritySettings _settings = (PrioritySettings)spec.Settings;

    public string Name => spec.Name;

    public ActionSpec Spec => spec;

    internal static ActionSettings? Parse(ActionSection section)
    {
        // The selector is read first, so that an error below does not leave `process:` reported as an unknown key.
        var selector = ProcessSelector.Parse(section);
        var nice = section.Int("nice", -20, 19);
        var classText = section.String("ionice_class");
        var level = section.Int("ionice_level", 0, 7);
        int? ioClass = null;
        if (classText is not null)
        {
            var index = Array.IndexOf(IoClasses, classText);
            if (index < 0)
            {
                section.Error("ionice_class", $"'{classText}' is not an I/O class; valid ones are {string.Join(", ", IoClasses)}.");
                return null;
            }

            ioClass = index;
        }

        if (level is not null && ioClass is null or 0 or 3)
        {
            section.Error("ionice_level", "applies to ionice_class realtime or best-effort only.");
            return null;
        }

        if (selector is null)
        {
            return null;
        }

        if (!section.Has("nice") && !section.Has("ionice_class"))
        {
            section.Error("nice", "a priority action needs nice (-20 to 19), ionice_class, or both.");
            return null;
        }

        return new PrioritySettings(selector, nice, ioClass, ioClass is 1 or 2 ? level ?? 4 : 0);
    }

    public ActionTargets Resolve(AlertSnapshot alert) => _settings.Selector.Choose(alert, host);

    public Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        var p = run.Target.Process!;
        var plan = new List<string>();
        if (_settings.Nice is { } nice)
        {
            plan.Add(string.Create(CultureInfo.InvariantCulture, $"nice {nice}"));
        }

        if (_settings.IoClass is { } ioClass)
        {
            plan.Add(ioClass is 1 or 2
                ? string.Create(CultureInfo.InvariantCulture, $"ionice {IoClasses[ioClass]} level {_settings.IoLevel}")
                : $"ionice {IoClasses[ioClass]}");
        }

        if (run.DryRun)
        {
            return Task.FromResult(ActionOutcome.Ok($"would set {string.Join(" and ", plan)} on {p.Describe()}"));
        }

        if (!p.IsAlive(host.ProcRoot))
        {
            return Task.FromResult(ActionOutcome.Failed($"{p.Describe()} has exited"));
        }

        var threads = p.Threads(host.ProcRoot);
        var errors = new List<string>();
        foreach (var tid in threads)
        {
            if (_settings.Nice is { } n && host.SetNice(tid, n) is { } niceError)
            {
                errors.Add($"setpriority({tid}): {niceError}");
            }

            if (_settings.IoClass is { } c && host.SetIoPriority(tid, c, _settings.IoLevel ?? 0) is { } ioError)
            {
                errors.Add($"ioprio_set({tid}): {ioError}");
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"set {string.Join(" and ", plan)} on {p.Describe()} ({threads.Count} threads)");
        return Task.FromResult(errors.Count == 0
            ? ActionOutcome.Ok(summary)
            : ActionOutcome.Failed(string.Join("; ", errors.Take(5)), summary));
    }
}
