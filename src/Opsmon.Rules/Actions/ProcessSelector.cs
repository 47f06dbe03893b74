using System.Globalization;
using System.Text.RegularExpressions;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>
/// Which processes a process action may act on (the <c>process:</c> section: comm, exe and cmdline regexes, fully
/// anchored, and a user), and how one is chosen for an alert: the process named by the alert's pid label, which must
/// still match, or else the one with the largest resident memory among those that match. The safety rules apply
/// either way: never PID 1, a kernel thread, Opsmon itself, or another user's process unless allowed.
/// </summary>
public sealed record ProcessSelector(Regex? Comm, Regex? Exe, Regex? Cmdline, uint? Uid, string PidLabel, bool AllowOtherUsers)
{
    /// <summary>The keys of the <c>process:</c> section and the process keys beside it.</summary>
    public static ProcessSelector? Parse(ActionSection section, string etcRoot = "/etc")
    {
        var pidLabel = section.String("pid_label") ?? "pid";
        var allowOthers = section.Bool("allow_other_users", false);
        var process = section.Map("process");
        if (process is null)
        {
            if (!section.Has("process"))
            {
                section.Error("process", "is required: a process selector with at least one of comm, exe or cmdline (regexes); a process action never acts on any process.");
            }

            return null;
        }

        var comm = process.Regex("comm");
        var exe = process.Regex("exe");
        var cmdline = process.Regex("cmdline");
        var userText = process.String("user");
        uint? uid = null;
        if (userText is not null)
        {
            uid = ResolveUser(userText, etcRoot);
            if (uid is null)
            {
                process.Error("user", $"'{userText}' is not a user name in {etcRoot}/passwd nor a numeric uid.");
            }
        }

        process.RejectUnread("a process selector");
        if (!process.Has("comm") && !process.Has("exe") && !process.Has("cmdline"))
        {
            process.Error(string.Empty, "needs at least one of comm, exe or cmdline (regexes matched against the whole value).");
            return null;
        }

        return new ProcessSelector(comm, exe, cmdline, uid, pidLabel, allowOthers);
    }

    public bool Matches(ProcessInfo p) =>
        (Comm is null || Comm.IsMatch(p.Comm)) &&
        (Exe is null || (p.Exe is not null && Exe.IsMatch(p.Exe))) &&
        (Cmdline is null || Cmdline.IsMatch(p.Cmdline)) &&
        (Uid is null || Uid == p.Uid);

    /// <summary>Why a safety rule forbids acting on the process, or null.</summary>
    public string? Refusal(ProcessInfo p, ActionHost host)
    {
        if (p.Pid == 1)
        {
            return "PID 1 (init) is never acted on";
        }

        if (p.IsKernelThread)
        {
            return $"{p.Describe()} is a kernel thread";
        }

        if (p.Pid == host.SelfPid)
        {
            return $"{p.Describe()} is Opsmon itself";
        }

        if (p.Uid != host.EffectiveUid && !AllowOtherUsers)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{p.Describe()} belongs to uid {p.Uid}, not Opsmon's uid {host.EffectiveUid} (allow_other_users is off)");
        }

        return null;
    }

    /// <summary>The process this alert points at: its pid label when present, else the largest matching process.</summary>
    public ActionTargets Choose(AlertSnapshot alert, ActionHost host)
    {
        var pidText = alert.Labels.Get(PidLabel);
        if (pidText.Length > 0)
        {
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            {
                return ActionTargets.None($"the alert's {PidLabel} label '{pidText}' is not a process id");
            }

            var key = $"pid:{pid}";
            if (pid == 1)
            {
                return ActionTargets.One(ActionTarget.Refused(key, "pid 1", "PID 1 (init) is never acted on"));
            }

            if (ProcessInfo.Read(host.ProcRoot, pid) is not { } p)
            {
                return ActionTargets.None($"process {pid} from the alert's {PidLabel} label is gone");
            }

            if (!Matches(p))
            {
                return ActionTargets.One(ActionTarget.Refused(key, p.Describe(), $"{p.Describe()} does not match the action's process selector"));
            }

            return ActionTargets.One(Target(p, host));
        }

        var matching = ProcessInfo.All(host.ProcRoot).Where(Matches).ToList();
        if (matching.Count == 0)
        {
            return ActionTargets.None("no process matches the action's process selector");
        }

        var allowed = matching.Where(p => Refusal(p, host) is null).ToList();
        if (allowed.Count == 0)
        {
            return ActionTargets.One(Target(matching.MaxBy(p => p.RssBytes)!, host));
        }

        return ActionTargets.One(Target(allowed.MaxBy(p => p.RssBytes)!, host));
    }

    private ActionTarget Target(ProcessInfo p, ActionHost host) =>
        new($"pid:{p.Pid.ToString(CultureInfo.InvariantCulture)}", p.Describe()) { Process = p, Refusal = Refusal(p, host) };

    private static uint? ResolveUser(string user, string etcRoot)
    {
        if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return uid;
        }

        try
        {
            foreach (var line in File.ReadLines(Path.Combine(etcRoot, "passwd")))
            {
                var parts = line.Split(':');
                if (parts.Length > 2 && parts[0] == user && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var found))
                {
                    return found;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
