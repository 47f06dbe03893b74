using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Opsmon.Configuration;
using Opsmon.Core.Series;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Routing;

namespace Opsmon.Tests.Actions;

/// <summary>A clock the test moves by hand, for cooldowns and loop-guard windows that would take hours in real time.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// What the live action tests share: a temp directory, a config read by the real loader, alerts built from a live
/// process, the audit log read back, and /proc read directly to see what an action did.
/// </summary>
public sealed class LiveActions : IDisposable
{
    public LiveActions()
    {
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "opsmon-live-actions-" + Guid.NewGuid().ToString("N"));

    public string AuditPath => Path.Combine(Dir, "actions.log");

    /// <summary>Loads <c>actions:</c> through ConfigLoader (with audit_log in the temp dir) and builds the runner.</summary>
    public ActionRunner Runner(string actionsYaml, TimeProvider time)
    {
        var result = ConfigLoader.Parse($"audit_log: {AuditPath}\n{actionsYaml}", Path.Combine(Dir, "opsmon.yml"));
        Assert.True(result.Config is not null, result.Error);
        return new ActionRunner(result.Config.Actions, time, NullLogger.Instance);
    }

    public static AlertSnapshot Alert(string name, DateTimeOffset startsAt, double value, params (string Name, string Value)[] labels) =>
        new(Labels.From([("alertname", name), .. labels]), new Dictionary<string, string>(), AlertSnapshot.Firing, startsAt, null, value, string.Empty);

    public static Notification Notify(AlertSnapshot alert) => new("actions", "{}:{alertname=\"" + alert.Labels.Get("alertname") + "\"}", Labels.Empty, [alert]);

    public IReadOnlyList<string> AuditResults() => AuditResultsIn(AuditPath);

    /// <summary>The <c>result</c> of every record in an audit log, in order; none when the file does not exist yet.</summary>
    public static IReadOnlyList<string> AuditResultsIn(string auditPath) => File.Exists(auditPath)
        ? [.. File.ReadAllLines(auditPath).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("result").GetString()!)]
        : [];

    /// <summary>VmRSS of a live process in bytes, 0 when it is gone.</summary>
    public static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Field <paramref name="field"/> (1-based, as proc(5) numbers them) of /proc/PID/stat.</summary>
    public static string StatField(int pid, int field)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return rest[field - 3];
    }

    /// <summary>Whether the process still runs (a zombie does not).</summary>
    public static bool Alive(int pid)
    {
        try
        {
            return StatField(pid, 3) is not ("Z" or "X");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Kills the process whose pid a restart command last wrote to <paramref name="pidFile"/>, if it still runs.</summary>
    public static void KillFromPidFile(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Alive(pid))
        {
            try
            {
                using var child = Process.GetProcessById(pid);
                child.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the deadline.</summary>
    public static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{what} did not happen within {limit}");
            }

            await Task.Delay(50);
        }
    }

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
