using System.Globalization;

namespace Opsmon.Analysis.Tests.Support;

/// <summary>A process as the per-process series describe it; rates are per second.</summary>
internal sealed record SyntheticProcess(int Pid, string Name, double CpuCores, double RssBytes, double IoBytesPerSecond = 0, double OpenFds = 20, double Threads = 4)
{
    public double SwapBytes { get; init; }

    public double MaxFds { get; init; } = 1024;

    /// <summary>Its cgroup v2 path (opsmon_process_cgroup_info); null writes no link.</summary>
    public string? Cgroup { get; init; }
}

/// <summary>
/// A machine described by a handful of figures, healthy and idle by default; each scenario changes the
/// figures it is about and <see cref="Build"/> writes the node_exporter, process and cgroup series.
/// </summary>
internal sealed class SyntheticMachine
{
    private const double GiB = 1024.0 * 1024 * 1024;

    public int Samples { get; set; } = 120;

    public long StepMs { get; set; } = 1000;

    private double StepSeconds => StepMs / 1000.0;

    public int Cores { get; set; } = 4;

    /// <summary>Shares (0–1) of CPU time per mode; idle is the rest.</summary>
    public double CpuUser { get; set; } = 0.08;

    public double CpuSystem { get; set; } = 0.02;

    public double CpuIowait { get; set; } = 0.01;

    public double CpuSteal { get; set; }

    public double ProcsRunning { get; set; } = 1;

    public double Load1 { get; set; } = 0.5;

    public double ProcsBlocked { get; set; }

    /// <summary>PSI "some" shares (0–1).</summary>
    public double CpuPressure { get; set; } = 0.01;

    public double MemoryPressure { get; set; }

    public double IoPressure { get; set; } = 0.005;

    public double MemTotal { get; set; } = 16 * GiB;

    public double MemAvailable { get; set; } = 8 * GiB;

    /// <summary>Bytes per second MemAvailable falls.</summary>
    public double MemAvailableDecline { get; set; }

    public double SwapTotal { get; set; } = 2 * GiB;

    public double SwapFree { get; set; } = 2 * GiB;

    public double SwapInPagesPerSecond { get; set; }

    public double SwapOutPagesPerSecond { get; set; }

    public double MajorFaultsPerSecond { get; set; } = 1;

    public double OomKillsSinceBoot { get; set; }

    public double OomKillsInWindow { get; set; }

    public double DiskBusy { get; set; } = 0.05;

    public double DiskIops { get; set; } = 50;

    public double DiskAwaitSeconds { get; set; } = 0.002;

    public double DiskQueueDepth { get; set; } = 0.1;

    public double FsSize { get; set; } = 100e9;

    public double FsAvail { get; set; } = 50e9;

    /// <summary>Bytes per second the root filesystem fills.</summary>
    public double FsFillRate { get; set; }

    public double FsFiles { get; set; } = 6e6;

    public double FsFilesFree { get; set; } = 5e6;

    public double NetErrorsPerSecond { get; set; }

    public double NetDropsPerSecond { get; set; }

    public double TcpOutSegsPerSecond { get; set; } = 200;

    public double TcpRetransPerSecond { get; set; } = 0.2;

    public double FdAllocated { get; set; } = 3000;

    public double FdMaximum { get; set; } = 1e6;

    public double Zombies { get; set; }

    public double HwmonTemp { get; set; } = 50;

    public double HwmonCrit { get; set; } = 100;

    public double ZoneTemp { get; set; } = 45;

    public double CgroupThrottledRatio { get; set; }

    public double CgroupMemoryCurrent { get; set; } = 1 * GiB;

    public double CgroupMemoryMax { get; set; } = 4 * GiB;

    public List<SyntheticProcess> Processes { get; } =
    [
        new(1, "systemd", 0.001, 12e6),
        new(812, "postgres", 0.15, 400e6, IoBytesPerSecond: 200_000),
        new(1520, "nginx", 0.05, 60e6, IoBytesPerSecond: 10_000),
    ];

    public SyntheticQuerier Build()
    {
        var q = new SyntheticQuerier(stepMs: StepMs, samples: Samples);
        var rnd = new Random(7);
        for (var cpu = 0; cpu < Cores; cpu++)
        {
            var c = cpu.ToString(CultureInfo.InvariantCulture);
            var idle = 1 - CpuUser - CpuSystem - CpuIowait - CpuSteal;
            q.Counter("node_cpu_seconds_total", idle, 5000, ("cpu", c), ("mode", "idle"));
            q.Counter("node_cpu_seconds_total", CpuUser, 800, ("cpu", c), ("mode", "user"));
            q.Counter("node_cpu_seconds_total", CpuSystem, 300, ("cpu", c), ("mode", "system"));
            q.Counter("node_cpu_seconds_total", CpuIowait, 50, ("cpu", c), ("mode", "iowait"));
            q.Counter("node_cpu_seconds_total", CpuSteal, 0, ("cpu", c), ("mode", "steal"));
        }

        q.Gauge("node_procs_running", ProcsRunning).Gauge("node_load1", Load1).Gauge("node_procs_blocked", ProcsBlocked);
        q.Counter("node_pressure_cpu_waiting_seconds_total", CpuPressure);
        q.Counter("node_pressure_memory_waiting_seconds_total", MemoryPressure);
        q.Counter("node_pressure_memory_stalled_seconds_total", MemoryPressure / 2);
        q.Counter("node_pressure_io_waiting_seconds_total", IoPressure);
        q.Counter("node_pressure_io_stalled_seconds_total", IoPressure / 2);

        q.Gauge("node_memory_MemTotal_bytes", MemTotal);
        var noise = Noise(rnd, 20e6);
        q.Series("node_memory_MemAvailable_bytes", i => MemAvailable + ((Samples - 1 - i) * StepSeconds * MemAvailableDecline) + noise[i]);
        q.Gauge("node_memory_SwapTotal_bytes", SwapTotal).Gauge("node_memory_SwapFree_bytes", SwapFree);
        q.Counter("node_vmstat_pswpin", SwapInPagesPerSecond).Counter("node_vmstat_pswpout", SwapOutPagesPerSecond);
        q.Counter("node_vmstat_pgmajfault", MajorFaultsPerSecond);
        q.Series("node_vmstat_oom_kill", i => OomKillsSinceBoot - OomKillsInWindow + (i >= Samples / 2 ? OomKillsInWindow : 0));

        var sda = ("device", "sda");
        q.Counter("node_disk_io_time_seconds_total", DiskBusy, 100, sda);
        q.Counter("node_disk_reads_completed_total", DiskIops / 2, 1e5, sda);
        q.Counter("node_disk_writes_completed_total", DiskIops / 2, 1e5, sda);
        q.Counter("node_disk_read_time_seconds_total", DiskIops / 2 * DiskAwaitSeconds, 100, sda);
        q.Counter("node_disk_write_time_seconds_total", DiskIops / 2 * DiskAwaitSeconds, 100, sda);
        q.Counter("node_disk_io_time_weighted_seconds_total", DiskQueueDepth, 100, sda);

        (string, string)[] root = [("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")];
        q.Gauge("node_filesystem_size_bytes", FsSize, root);
        var fsNoise = Noise(rnd, 1e6);
        q.Series("node_filesystem_avail_bytes", i => FsAvail + ((Samples - 1 - i) * StepSeconds * FsFillRate) + fsNoise[i], root);
        q.Gauge("node_filesystem_files", FsFiles, root).Gauge("node_filesystem_files_free", FsFilesFree, root);
        q.Gauge("node_filesystem_readonly", 0, root);
        (string, string)[] snap = [("device", "/dev/loop0"), ("fstype", "squashfs"), ("mountpoint", "/snap/core/1")];
        q.Gauge("node_filesystem_size_bytes", 1e8, snap).Gauge("node_filesystem_avail_bytes", 0, snap).Gauge("node_filesystem_readonly", 1, snap);

        var eth = ("device", "eth0");
        q.Counter("node_network_receive_errs_total", NetErrorsPerSecond, 0, eth).Counter("node_network_transmit_errs_total", 0, 0, eth);
        q.Counter("node_network_receive_drop_total", NetDropsPerSecond, 0, eth).Counter("node_network_transmit_drop_total", 0, 0, eth);
        q.Counter("node_netstat_Tcp_OutSegs", TcpOutSegsPerSecond, 1e6).Counter("node_netstat_Tcp_RetransSegs", TcpRetransPerSecond, 100);
        q.Gauge("node_filefd_allocated", FdAllocated).Gauge("node_filefd_maximum", FdMaximum);

        q.Gauge("node_hwmon_temp_celsius", HwmonTemp, ("chip", "platform_coretemp_0"), ("sensor", "temp1"));
        q.Gauge("node_hwmon_temp_crit_celsius", HwmonCrit, ("chip", "platform_coretemp_0"), ("sensor", "temp1"));
        q.Gauge("node_thermal_zone_temp", ZoneTemp, ("zone", "0"), ("type", "x86_pkg_temp"));

        q.Gauge("namedprocess_namegroup_states", Zombies, ("groupname", "worker"), ("state", "Zombie"));
        q.Gauge("namedprocess_namegroup_states", 0, ("groupname", "worker"), ("state", "Waiting"));

        var app = ("cgroup", "/system.slice/app.service");
        q.Counter("opsmon_cgroup_cpu_throttled_seconds_total", CgroupThrottledRatio, 0, app);
        var cgNoise = Noise(rnd, 2e6);
        q.Series("opsmon_cgroup_memory_current_bytes", i => CgroupMemoryCurrent + cgNoise[i], app);
        q.Gauge("opsmon_cgroup_memory_max_bytes", CgroupMemoryMax, app);

        foreach (var p in Processes)
        {
            (string, string)[] labels = [("pid", p.Pid.ToString(CultureInfo.InvariantCulture)), ("name", p.Name)];
            q.Counter("opsmon_process_cpu_seconds_total", p.CpuCores * 0.8, 10, [.. labels, ("mode", "user")]);
            q.Counter("opsmon_process_cpu_seconds_total", p.CpuCores * 0.2, 10, [.. labels, ("mode", "system")]);
            var rssNoise = Noise(rnd, p.RssBytes * 0.002);
            q.Series("opsmon_process_resident_memory_bytes", i => p.RssBytes + rssNoise[i], labels);
            q.Gauge("opsmon_process_swap_bytes", p.SwapBytes, labels);
            q.Counter("opsmon_process_read_bytes_total", p.IoBytesPerSecond / 2, 0, labels);
            q.Counter("opsmon_process_write_bytes_total", p.IoBytesPerSecond / 2, 0, labels);
            q.Gauge("opsmon_process_open_fds", p.OpenFds, labels).Gauge("opsmon_process_max_fds", p.MaxFds, labels);
            q.Gauge("opsmon_process_threads", p.Threads, labels);
            if (p.Cgroup is { } cgroup)
            {
                q.Gauge("opsmon_process_cgroup_info", 1, [.. labels, ("cgroup", cgroup)]);
            }
        }

        return q;
    }

    /// <summary>Runs the default analyzer over the whole synthetic window.</summary>
    public DoctorReport Analyze(Thresholds? thresholds = null)
    {
        var q = Build();
        return new Analyzer().Run(q, q.StartMs, q.EndMs, thresholds ?? Thresholds.Default, new MachineFacts());
    }

    private double[] Noise(Random rnd, double sigma)
    {
        var n = new double[Samples];
        for (var i = 0; i < n.Length; i++)
        {
            n[i] = Gaussian(rnd) * sigma;
        }

        return n;
    }

    internal static double Gaussian(Random rnd) =>
        Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
}
