using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Rules.Tests.Actions.ActionFixtures;

namespace Opsmon.Rules.Tests.Actions;

/// <summary>
/// The limit action's two paths: systemctl set-property for units (argv; systemd is not PID 1 where these tests run,
/// so a stand-in script records what it was called with) and the cgroup filesystem, over recorded cgroup trees: a
/// cgroup v2 one, and a v1 (hybrid) one with its /proc/self/mountinfo.
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

    private Task<AuditRecord> Run(LimitSettings settings, string? systemctl = null, bool dryRun = false, params (string, string)[] labels) =>
        RunOn(_proc.Host(selfPid: 3000, cgroupRoot: _cgroups, systemctl: systemctl), settings, dryRun, labels);

    private async Task<AuditRecord> RunOn(ActionHost host, LimitSettings settings, bool dryRun = false, params (string, string)[] labels)
    {
        var runner = _f.Runner(host, Spec("cap", settings) with { DryRun = dryRun });
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

    private string V1Root => Path.Combine(_f.Dir, "v1", "cgroup");

    private string V1File(string hierarchy, string cgroup, string file) => File.ReadAllText(Path.Combine(V1Root, hierarchy, cgroup, file));

    /// <summary>
    /// A recorded cgroup v1 host laid out as systemd's hybrid mode does: a hierarchy per controller (cpu and cpuacct
    /// mounted together), and a cgroup2 mount offering <paramref name="unifiedControllers"/> (none by default).
    /// Opsmon (pid 3000) sits in /opsmon.slice; make (pid 3100) in /build.slice/job-1.scope, but in /build.slice
    /// for cpu. Every limit file starts unlimited (as the kernel shows it), blkio.weight at its default of 500.
    /// </summary>
    private ActionHost V1Host(bool blkioWeight = true, string unifiedControllers = "", string opsmonCpuCgroup = "/opsmon.slice")
    {
        var proc = new FakeProc(Path.Combine(_f.Dir, "v1", "proc")).Process(3000, "opsmon").Process(3100, "make");
        File.WriteAllText(Path.Combine(proc.Root, "3000", "cgroup"), $"9:name=systemd:/opsmon.slice\n7:blkio:/opsmon.slice\n4:memory:/opsmon.slice\n2:cpu,cpuacct:{opsmonCpuCgroup}\n0::/\n");
        File.WriteAllText(Path.Combine(proc.Root, "3100", "cgroup"), "9:name=systemd:/build.slice/job-1.scope\n7:blkio:/build.slice/job-1.scope\n4:memory:/build.slice/job-1.scope\n2:cpu,cpuacct:/build.slice\n0::/build.slice/job-1.scope\n");
        Directory.CreateDirectory(Path.Combine(proc.Root, "self"));
        File.WriteAllText(Path.Combine(proc.Root, "self", "mountinfo"), string.Join('\n',
            $"25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            $"30 25 0:27 / {V1Root} rw,relatime shared:8 - tmpfs tmpfs rw,mode=755",
            $"31 30 0:28 / {V1Root}/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct",
            $"34 30 0:31 / {V1Root}/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory",
            $"37 30 0:34 / {V1Root}/blkio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,blkio",
            $"40 30 0:37 / {V1Root}/unified rw,nosuid,nodev,noexec,relatime shared:18 - cgroup2 cgroup2 rw,nsdelegate",
            string.Empty));
        foreach (var cgroup in new[] { "", "build.slice", "build.slice/job-1.scope", "opsmon.slice" })
        {
            Write("memory", cgroup, "memory.limit_in_bytes", "9223372036854771712");
            Write("memory", cgroup, "memory.soft_limit_in_bytes", "9223372036854771712");
            Write("cpu,cpuacct", cgroup, "cpu.cfs_period_us", "100000");
            Write("cpu,cpuacct", cgroup, "cpu.cfs_quota_us", "-1");
            Write("blkio", cgroup, "blkio.weight", "500");
            if (!blkioWeight)
            {
                File.Delete(Path.Combine(V1Root, "blkio", cgroup, "blkio.weight"));
            }

            Directory.CreateDirectory(Path.Combine(V1Root, "unified", cgroup));
        }

        File.WriteAllText(Path.Combine(V1Root, "unified", "cgroup.controllers"), unifiedControllers + "\n");
        return proc.Host(selfPid: 3000, cgroupRoot: V1Root);

        void Write(string hierarchy, string cgroup, string file, string value)
        {
            Directory.CreateDirectory(Path.Combine(V1Root, hierarchy, cgroup));
            File.WriteAllText(Path.Combine(V1Root, hierarchy, cgroup, file), value + "\n");
        }
    }

    [Fact]
    public async Task On_cgroup_v1_memory_max_goes_to_the_limit_and_memory_high_to_the_soft_limit()
    {
        var record = await RunOn(V1Host(), Settings(cgroup: "/build.slice"));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal(
            ("536870912", "-1"),
            (V1File("memory", "build.slice", "memory.soft_limit_in_bytes"), V1File("memory", "build.slice", "memory.limit_in_bytes")));
    }

    [Fact]
    public async Task On_cgroup_v1_cpu_max_goes_to_the_cfs_period_and_quota()
    {
        var record = await RunOn(V1Host(), Settings(cgroup: "/build.slice") with { CpuMax = new CpuMax(20_000, 50_000) });

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal(
            ("50000", "20000"),
            (V1File("cpu,cpuacct", "build.slice", "cpu.cfs_period_us"), V1File("cpu,cpuacct", "build.slice", "cpu.cfs_quota_us")));
    }

    [Fact]
    public void On_cgroup_v1_a_cpu_max_of_max_is_a_quota_of_minus_one()
    {
        var writes = LimitAction.CgroupWrites(new LimitSettings(null, "/a", null, null, null, new CpuMax(null, 100_000), null), CgroupVersion.V1);

        Assert.Equal([new CgroupWrite("cpu", "cpu.cfs_period_us", "100000"), new CgroupWrite("cpu", "cpu.cfs_quota_us", "-1")], writes);
    }

    [Fact]
    public async Task On_cgroup_v1_io_weight_is_written_to_blkio_weight_scaled()
    {
        var record = await RunOn(V1Host(), Settings(cgroup: "/build.slice"));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal("250", V1File("blkio", "build.slice", "blkio.weight"));
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(50, 250)]
    [InlineData(100, 500)]
    [InlineData(200, 1000)]
    [InlineData(10_000, 1000)]
    public void Io_weight_scales_to_blkio_weight_so_that_the_defaults_meet(int ioWeight, int blkioWeight)
    {
        Assert.Equal(blkioWeight, LimitAction.BlkioWeight(ioWeight));
    }

    [Fact]
    public async Task Without_blkio_weight_on_the_host_io_weight_fails_and_no_limit_is_written()
    {
        var record = await RunOn(V1Host(blkioWeight: false), Settings(cgroup: "/build.slice"));

        Assert.Equal(AuditResult.Failed, record.Result);
        Assert.Equal($"{V1Root}/blkio/build.slice/blkio.weight does not exist: no I/O scheduler on this cgroup v1 host offers blkio weights (CFQ), so io_weight cannot be set", record.Error);
        Assert.Equal("9223372036854771712\n", V1File("memory", "build.slice", "memory.limit_in_bytes"));
    }

    [Fact]
    public async Task On_cgroup_v1_a_process_limit_goes_on_the_process_cgroup_in_each_hierarchy()
    {
        var record = await RunOn(V1Host(), Settings(selector: Selector("make")), labels: ("pid", "3100"));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal(
            ("-1", "50000"),
            (V1File("memory", "build.slice/job-1.scope", "memory.limit_in_bytes"), V1File("cpu,cpuacct", "build.slice", "cpu.cfs_quota_us")));
    }

    [Fact]
    public async Task On_cgroup_v1_the_cgroup_that_holds_Opsmon_is_refused()
    {
        var record = await RunOn(V1Host(), Settings(cgroup: "/opsmon.slice"));

        Assert.Equal((AuditResult.Refused, "cgroup /opsmon.slice holds Opsmon itself (/opsmon.slice)"), (record.Result, record.Error));
        Assert.Equal("9223372036854771712\n", V1File("memory", "opsmon.slice", "memory.limit_in_bytes"));
    }

    [Fact]
    public async Task On_cgroup_v1_Opsmon_is_looked_for_in_every_hierarchy_the_limit_touches()
    {
        var record = await RunOn(V1Host(opsmonCpuCgroup: "/build.slice/opsmon"), Settings(cgroup: "/build.slice"));

        Assert.Equal((AuditResult.Refused, "cgroup /build.slice holds Opsmon itself (/build.slice/opsmon)"), (record.Result, record.Error));
    }

    [Fact]
    public async Task On_a_hybrid_host_a_controller_the_unified_hierarchy_offers_is_limited_there()
    {
        var record = await RunOn(V1Host(unifiedControllers: "memory"), Settings(cgroup: "/build.slice"));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal(
            ("max", "9223372036854771712\n", "50000"),
            (File.ReadAllText(Path.Combine(V1Root, "unified", "build.slice", "memory.max")), V1File("memory", "build.slice", "memory.limit_in_bytes"), V1File("cpu,cpuacct", "build.slice", "cpu.cfs_quota_us")));
    }

    [Fact]
    public async Task On_cgroup_v1_dry_run_names_the_v1_files_and_writes_none()
    {
        var record = await RunOn(V1Host(), Settings(cgroup: "/build.slice"), dryRun: true);

        Assert.Equal(AuditResult.DryRun, record.Result);
        Assert.StartsWith($"would write 536870912 > {V1Root}/memory/build.slice/memory.soft_limit_in_bytes, -1 > {V1Root}/memory/build.slice/memory.limit_in_bytes", record.Output, StringComparison.Ordinal);
        Assert.Equal("9223372036854771712\n", V1File("memory", "build.slice", "memory.soft_limit_in_bytes"));
    }
}
