using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Opsmon.Core.Series;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Routing;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Actions;

/// <summary>Alerts, notifications, specs and runners for the action tests; a temp directory removed after.</summary>
public sealed class ActionFixtures : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public ActionFixtures()
    {
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "opsmon-actions-" + Guid.NewGuid().ToString("N"));

    public ManualTime Time { get; } = new(Start);

    public string AuditPath => Path.Combine(Dir, "actions.log");

    public static AlertSnapshot Alert(string name, params (string Name, string Value)[] labels) =>
        new(Labels.From([("alertname", name), .. labels]), new Dictionary<string, string> { ["summary"] = "it happened" },
            AlertSnapshot.Firing, Start, null, 42, "http://opsmon/graph");

    public static AlertSnapshot Resolved(AlertSnapshot alert) => alert with { Status = AlertSnapshot.Resolved, EndsAt = Start.AddMinutes(1) };

    public static Notification Notify(params AlertSnapshot[] alerts) => new("ops", "{}:{}", Labels.Empty, alerts);

    public static ActionSpec Spec(string name, ActionSettings settings, string alertname = "HighMemory") => new()
    {
        Name = name,
        Type = settings switch
        {
            CacheCleanupSettings => "cache_cleanup",
            RestartSettings => "restart",
            TerminateSettings => "terminate",
            LimitSettings => "limit",
            PrioritySettings => "priority",
            _ => "script",
        },
        Match = [LabelMatcher.Equal("alertname", alertname)],
        Settings = settings,
    };

    public static ProcessSelector Selector(string comm, bool allowOtherUsers = false) =>
        new(new System.Text.RegularExpressions.Regex("^(?:" + comm + @")\z"), null, null, null, "pid", allowOtherUsers);

    public ActionRunner Runner(ActionHost? host = null, params ActionSpec[] specs) =>
        new(new ActionsConfig { Actions = specs, AuditLog = AuditPath }, Time, NullLogger.Instance, host ?? ActionHost.Real);

    /// <summary>Writes an executable shell script (a stand-in for a program such as systemctl) and returns its path.</summary>
    public string Script(string name, string body)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the action tests run on Linux");
        }

        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The audit log's lines, parsed.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> AuditLines() => File.Exists(AuditPath)
        ? [.. File.ReadAllLines(AuditPath).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)]
        : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A recorded /proc tree written by the test: processes with a comm, a uid, a resident size, flags (PF_KTHREAD)
/// and an optional cgroup, in the layout ProcessInfo reads.
/// </summary>
public sealed class FakeProc
{
    public FakeProc(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
    }

    public string Root { get; }

    public FakeProc Process(int pid, string comm, uint uid = 0, long rssPages = 100, bool kernelThread = false, string? cgroup = null, int nice = 0)
    {
        var dir = Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var flags = kernelThread ? 0x00208040u : 0x00400100u;
        File.WriteAllText(Path.Combine(dir, "stat"), string.Create(CultureInfo.InvariantCulture,
            $"{pid} ({comm}) S 1 {pid} {pid} 0 -1 {flags} 0 0 0 0 0 0 0 0 20 {nice} 1 0 12345 1000000 {rssPages} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"));
        File.WriteAllText(Path.Combine(dir, "status"), string.Create(CultureInfo.InvariantCulture, $"Name:\t{comm}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n"));
        File.WriteAllText(Path.Combine(dir, "cmdline"), kernelThread ? "" : $"/usr/bin/{comm}\0--serve\0");
        if (cgroup is not null)
        {
            File.WriteAllText(Path.Combine(dir, "cgroup"), $"0::{cgroup}\n");
        }

        return this;
    }

    public ActionHost Host(int selfPid = 999_999, uint uid = 0, string? cgroupRoot = null, string? systemctl = null) => new()
    {
        ProcRoot = Root,
        SelfPid = selfPid,
        EffectiveUid = uid,
        CgroupRoot = cgroupRoot ?? "/nonexistent-cgroup-root",
        Systemctl = systemctl ?? "/nonexistent/systemctl",
    };
}
