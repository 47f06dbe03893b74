using System.Globalization;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Tests.Actions.LiveActions;

namespace Opsmon.Tests.Actions;

/// <summary>
/// Runs only where a writable cgroup v2 hierarchy with the memory controller exists (as root on a cgroup v2 host);
/// skipped elsewhere (a cgroup v1 or hybrid host has no memory.high), but never skipped under CI=true, where a
/// missing controller is a failure like a missing program.
/// </summary>
public sealed class CgroupV2MemoryFactAttribute : FactAttribute
{
    public CgroupV2MemoryFactAttribute()
    {
        if (CgroupV2.MemoryRoot() is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "no writable cgroup v2 hierarchy with the memory controller here (cgroup v1 or hybrid host, or not root)";
        }
    }
}

/// <summary>Finds the cgroup v2 mount whose root offers the memory controller to its children.</summary>
public static class CgroupV2
{
    public static string? MemoryRoot()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                // "... mountpoint options - cgroup2 cgroup2 rw"
                var parts = line.Split(' ');
                var dash = Array.IndexOf(parts, "-");
                if (dash < 0 || dash + 1 >= parts.Length || parts[dash + 1] != "cgroup2")
                {
                    continue;
                }

                var mount = parts[4];
                var subtree = Path.Combine(mount, "cgroup.subtree_control");
                if (File.Exists(subtree) && File.ReadAllText(subtree).Split(' ', '\n').Contains("memory") && Environment.UserName == "root")
                {
                    return mount;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}

public sealed class CgroupLimitLiveTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly LiveActions _live = new();
    private readonly string _name = "opsmon-test-" + Guid.NewGuid().ToString("N")[..12];
    private string? _created;

    public void Dispose()
    {
        if (_created is not null && Directory.Exists(_created))
        {
            Directory.Delete(_created);
        }

        _live.Dispose();
    }

    [CgroupV2MemoryFact]
    public async Task Limit_writes_memory_high_into_a_real_child_cgroup_and_it_reads_back()
    {
        var root = CgroupV2.MemoryRoot() ?? throw new InvalidOperationException("CI=true and no cgroup v2 memory controller on this host");
        _created = Path.Combine(root, _name);
        Directory.CreateDirectory(_created);
        var runner = new ActionRunner(
            Config(),
            new ManualClock(Start),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            new ActionHost { CgroupRoot = root });
        var alert = Alert("MemoryPressure", Start, 1);

        var record = Assert.Single(await runner.RunAsync("cap", alert, Notify(alert), CancellationToken.None));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal((64L << 20).ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_created, "memory.high")).Trim());
    }

    private ActionsConfig Config()
    {
        var result = Opsmon.Configuration.ConfigLoader.Parse($"""
            audit_log: {_live.AuditPath}
            actions:
              - name: cap
                type: limit
                match: ['alertname="MemoryPressure"']
                cgroup: /{_name}
                memory_high: 64MB
            """, Path.Combine(_live.Dir, "opsmon.yml"));
        Assert.True(result.Config is not null, result.Error);
        return result.Config.Actions;
    }
}
