using System.Diagnostics;
using System.Globalization;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using Opsmon.Tests.Support;
using static Opsmon.Tests.Actions.LiveActions;

namespace Opsmon.Tests.Actions;

/// <summary>
/// Runs only where a writable cgroup hierarchy with the memory controller exists, v2 or v1 (as root); skipped
/// elsewhere, but never skipped under CI=true, where a missing hierarchy is a failure like a missing program.
/// </summary>
public sealed class CgroupMemoryFactAttribute : FactAttribute
{
    public CgroupMemoryFactAttribute()
    {
        if (CgroupMemory.Find() is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "no writable cgroup hierarchy with the memory controller here (v2 or v1; needs root)";
        }
    }
}

/// <summary>
/// The memory controller's hierarchy on this host, found from /proc/self/mountinfo on its own (not through the code
/// under test): the cgroup2 mount whose root hands memory to its children, else the cgroup v1 mount for memory.
/// </summary>
public sealed record CgroupMemory(string MountPoint, bool IsV2)
{
    /// <summary>The file memory_max lands in.</summary>
    public string LimitFile => IsV2 ? "memory.max" : "memory.limit_in_bytes";

    public static CgroupMemory? Find()
    {
        if (Environment.UserName != "root")
        {
            return null;
        }

        var mounts = new List<(string FsType, string MountPoint, string[] Options)>();
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "... mountpoint options - fstype source superoptions"
                var parts = line.Split(' ');
                var dash = Array.IndexOf(parts, "-");
                if (dash >= 5 && dash + 3 < parts.Length)
                {
                    mounts.Add((parts[dash + 1], parts[4], parts[dash + 3].Split(',')));
                }
            }

            foreach (var (_, mount, _) in mounts.Where(m => m.FsType == "cgroup2"))
            {
                var subtree = Path.Combine(mount, "cgroup.subtree_control");
                if (File.Exists(subtree) && File.ReadAllText(subtree).Split(' ', '\n').Contains("memory"))
                {
                    return new CgroupMemory(mount, IsV2: true);
                }
            }
        }
        catch (IOException)
        {
        }

        return mounts.FirstOrDefault(m => m.FsType == "cgroup" && m.Options.Contains("memory")) is { MountPoint: { } v1 }
            ? new CgroupMemory(v1, IsV2: false)
            : null;
    }
}

/// <summary>
/// limit on a real cgroup: a child cgroup of the memory hierarchy made by the test, a test-owned sleep moved into it,
/// the limit read back from the kernel's file; the sleep is killed and the cgroup removed after.
/// </summary>
public sealed class CgroupLimitLiveTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly LiveActions _live = new();
    private readonly string _name = "opsmon-test-" + Guid.NewGuid().ToString("N")[..12];
    private string? _created;
    private Process? _child;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_child is not null)
        {
            try
            {
                _child.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            await _child.WaitForExitAsync();
            _child.Dispose();
        }

        if (_created is not null)
        {
            // The kernel lets go of an emptied cgroup a moment after its last process is reaped.
            await Until(() => TryRemove(_created), $"removing {_created}", TimeSpan.FromSeconds(10));
        }

        _live.Dispose();
    }

    private static bool TryRemove(string cgroup)
    {
        try
        {
            if (Directory.Exists(cgroup))
            {
                Directory.Delete(cgroup);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [CgroupMemoryFact]
    public async Task Limit_sets_memory_max_on_the_real_cgroup_of_the_alerts_process_and_it_reads_back()
    {
        var memory = CgroupMemory.Find() ?? throw new InvalidOperationException("CI=true and no writable cgroup hierarchy with the memory controller (v2 or v1) on this host");
        _created = Path.Combine(memory.MountPoint, _name);
        Directory.CreateDirectory(_created);
        var info = new ProcessStartInfo(Tools.Require("sleep")) { UseShellExecute = false, ArgumentList = { "60" } };
        _child = Process.Start(info)!;
        var pid = _child.Id.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(_created, "cgroup.procs"), pid);
        var runner = new ActionRunner(
            Config(),
            new ManualClock(Start),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            new ActionHost { CgroupRoot = memory.MountPoint.StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal) ? "/sys/fs/cgroup" : memory.MountPoint });
        var alert = Alert("MemoryPressure", Start, 1, ("pid", pid));

        var record = Assert.Single(await runner.RunAsync("cap", alert, Notify(alert), CancellationToken.None));

        Assert.Equal((AuditResult.Ok, $"cgroup /{_name} of pid {pid} (sleep)"), (record.Result, record.Target));
        Assert.Equal((64L << 20).ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_created, memory.LimitFile)).Trim());
    }

    private ActionsConfig Config()
    {
        var result = Opsmon.Configuration.ConfigLoader.Parse($"""
            audit_log: {_live.AuditPath}
            actions:
              - name: cap
                type: limit
                match: ['alertname="MemoryPressure"']
                process:
                  comm: sleep
                memory_max: 64MB
            """, Path.Combine(_live.Dir, "opsmon.yml"));
        Assert.True(result.Config is not null, result.Error);
        return result.Config.Actions;
    }
}
