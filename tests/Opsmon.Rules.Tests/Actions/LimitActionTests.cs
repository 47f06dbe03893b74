using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Rules.Tests.Actions.ActionFixtures;

namespace Opsmon.Rules.Tests.Actions;

/// <summary>
/// The limit action's two paths: systemctl set-property for units (argv; systemd is not PID 1 where these tests run,
/// so a stand-in script records what it was called with) and the cgroup filesystem, over a recorded cgroup tree.
/// </summary>
public sealed class LimitActionTests : IDisposable
{
    private readonly ActionFixtures _f = new();
    private readonly FakeProc _proc;
    private readonly string _cgroups;

    public LimitActionTests()
    {
        _cgroups = Path.Combine(_f.Dir, "cgroup");
        Directory.CreateDirectory(Path.Combine(_cgroups, "build.slice", "job-1.scope"));
        Directory.CreateDirectory(Path.Combine(_cgroups, "opsmon.slice"));
        _proc = new FakeProc(Path.Combine(_f.Dir, "proc"))
            .Process(3000, "opsmon", cgroup: "/opsmon.slice")
            .Process(3100, "make", cgroup: "/build.slice/job-1.scope");
    }

    public void Dispose() => _f.Dispose();

    private static LimitSettings Settings(string? unit = null, string? cgroup = null, ProcessSelector? selector = null) =>
        new(unit, cgroup, selector, 512L << 20, -1, new CpuMax(50_000, 100_000), 50);

    private async Task<AuditRecord> Run(LimitSettings settings, string? systemctl = null, bool dryRun = false, params (string, string)[] labels)
    {
        var runner = _f.Runner(_proc.Host(selfPid: 3000, cgroupRoot: _cgroups, systemctl: systemctl), Spec("cap", settings) with { DryRun = dryRun });
        var alert = Alert("HighMemory", labels);
        return Assert.Single(await runner.RunAsync("cap", alert, Notify(alert), CancellationToken.None));
    }

    [Fact]
    public void A_unit_is_limited_through_systemctl_set_property_at_runtime()
    {
        var argv = LimitAction.SetPropertyArgv("systemctl", "web.service", Settings(unit: "web.service"));

        Assert.Equal(["systemctl", "set-property", "--runtime", "--", "web.service", "MemoryHigh=536870912", "MemoryMax=infinity", "CPUQuota=50%", "IOWeight=50"], argv);
    }

    [Fact]
    public void A_cpu_period_other_than_the_default_is_passed_to_systemd()
    {
        var argv = LimitAction.SetPropertyArgv("systemctl", "a.service", new LimitSettings("a.service", null, null, null, null, new CpuMax(20_000, 50_000), null));

        Assert.Equal(["systemctl", "set-property", "--runtime", "--", "a.service", "CPUQuota=40%", "CPUQuotaPeriodSec=50000us"], argv);
    }

    [Fact]
    public async Task A_unit_limit_runs_systemctl_with_that_argv()
    {
        var log = Path.Combine(_f.Dir, "systemctl.log");
        var systemctl = _f.Script("systemctl", $"echo \"$@\" >> {log}\n");

        var record = await Run(Settings(unit: "web.service"), systemctl);

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal("set-property --runtime -- web.service MemoryHigh=536870912 MemoryMax=infinity CPUQuota=50% IOWeight=50\n", File.ReadAllText(log));
    }

    [Fact]
    public async Task A_cgroup_limit_writes_each_knob_into_the_cgroup_filesystem()
    {
        var record = await Run(Settings(cgroup: "/build.slice"));

        Assert.Equal(AuditResult.Ok, record.Result);
        var dir = Path.Combine(_cgroups, "build.slice");
        Assert.Equal(
            ["536870912", "max", "50000 100000", "default 50"],
            new[] { "memory.high", "memory.max", "cpu.max", "io.weight" }.Select(f => File.ReadAllText(Path.Combine(dir, f))));
    }

    [Fact]
    public async Task A_process_limit_goes_on_the_cgroup_of_the_alerts_process()
    {
        var record = await Run(Settings(selector: Selector("make")), labels: ("pid", "3100"));

        Assert.Equal("cgroup /build.slice/job-1.scope of pid 3100 (make)", record.Target);
        Assert.Equal("536870912", File.ReadAllText(Path.Combine(_cgroups, "build.slice", "job-1.scope", "memory.high")));
    }

    [Fact]
    public async Task The_cgroup_that_holds_Opsmon_is_refused()
    {
        var record = await Run(Settings(cgroup: "/opsmon.slice"));

        Assert.Equal((AuditResult.Refused, "cgroup /opsmon.slice holds Opsmon itself (/opsmon.slice)"), (record.Result, record.Error));
        Assert.False(File.Exists(Path.Combine(_cgroups, "opsmon.slice", "memory.high")));
    }

    [Fact]
    public async Task Dry_run_says_which_files_it_would_write_and_writes_none()
    {
        var record = await Run(Settings(cgroup: "/build.slice"), dryRun: true);

        Assert.Equal(AuditResult.DryRun, record.Result);
        Assert.StartsWith($"would write 536870912 > {_cgroups}/build.slice/memory.high", record.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cgroups, "build.slice", "memory.high")));
    }
}
