namespace Opsmon.Analysis;

/// <summary>
/// Where each doctor check turns from ok to warning and from warning to critical. Every threshold applies to
/// the figure averaged (or, for counters, rated) over the analysis window. Percentages are 0–100.
/// Override with <c>with</c>: <c>Thresholds.Default with { CpuUtilizationWarningPercent = 85 }</c>.
/// </summary>
public sealed record Thresholds
{
    public static Thresholds Default { get; } = new();

    /// <summary>How many top processes and cgroups a finding names.</summary>
    [ValidRange(1, 100)]
    public int TopConsumers { get; init; } = 5;

    // CPU
    /// <summary>Busy time (everything but idle and iowait) across all CPUs.</summary>
    [ValidRange(0, 100)]
    public double CpuUtilizationWarningPercent { get; init; } = 90;
    [ValidRange(0, 100)]
    public double CpuUtilizationCriticalPercent { get; init; } = 98;

    /// <summary>Runnable tasks (node_procs_running, else node_load1) per core.</summary>
    [ValidRange(0, 1000)]
    public double RunQueueWarningPerCore { get; init; } = 2;
    [ValidRange(0, 1000)]
    public double RunQueueCriticalPerCore { get; init; } = 4;

    /// <summary>Share of wall time some task waited for a CPU (PSI "some").</summary>
    [ValidRange(0, 100)]
    public double CpuPressureWarningPercent { get; init; } = 20;
    [ValidRange(0, 100)]
    public double CpuPressureCriticalPercent { get; init; } = 50;

    [ValidRange(0, 100)]
    public double IowaitWarningPercent { get; init; } = 20;
    [ValidRange(0, 100)]
    public double IowaitCriticalPercent { get; init; } = 40;

    [ValidRange(0, 100)]
    public double StealWarningPercent { get; init; } = 10;
    [ValidRange(0, 100)]
    public double StealCriticalPercent { get; init; } = 25;

    /// <summary>Throttled time of a cgroup per second of wall time (1 = throttled all the time on one CPU).</summary>
    [ValidRange(0, 1024)]
    public double CgroupThrottledWarningRatio { get; init; } = 0.1;
    [ValidRange(0, 1024)]
    public double CgroupThrottledCriticalRatio { get; init; } = 0.5;

    // Memory
    /// <summary>MemAvailable as a share of MemTotal at the end of the window; below is bad.</summary>
    [ValidRange(0, 100)]
    public double MemoryAvailableWarningPercent { get; init; } = 10;
    [ValidRange(0, 100)]
    public double MemoryAvailableCriticalPercent { get; init; } = 5;

    /// <summary>Share of wall time some task stalled on memory (PSI "some").</summary>
    [ValidRange(0, 100)]
    public double MemoryPressureWarningPercent { get; init; } = 10;
    [ValidRange(0, 100)]
    public double MemoryPressureCriticalPercent { get; init; } = 30;

    /// <summary>Pages swapped in plus out per second.</summary>
    [ValidRange(0, 1e9)]
    public double SwapPagesWarningPerSecond { get; init; } = 100;
    [ValidRange(0, 1e9)]
    public double SwapPagesCriticalPerSecond { get; init; } = 1000;

    /// <summary>Swap used as a share of swap total; only reported together with swap traffic.</summary>
    [ValidRange(0, 100)]
    public double SwapUsedWarningPercent { get; init; } = 80;

    [ValidRange(0, 1e9)]
    public double MajorFaultsWarningPerSecond { get; init; } = 100;
    [ValidRange(0, 1e9)]
    public double MajorFaultsCriticalPerSecond { get; init; } = 1000;

    /// <summary>cgroup memory.current as a share of memory.max.</summary>
    [ValidRange(0, 100)]
    public double CgroupMemoryWarningPercent { get; init; } = 90;
    [ValidRange(0, 100)]
    public double CgroupMemoryCriticalPercent { get; init; } = 97;

    // Disks
    /// <summary>Share of wall time the device was busy (io_time).</summary>
    [ValidRange(0, 100)]
    public double DiskUtilizationWarningPercent { get; init; } = 80;
    [ValidRange(0, 100)]
    public double DiskUtilizationCriticalPercent { get; init; } = 95;

    /// <summary>Average time per completed I/O (read+write time over read+write count).</summary>
    [ValidRange(0, 1e6)]
    public double DiskAwaitWarningMilliseconds { get; init; } = 50;
    [ValidRange(0, 1e6)]
    public double DiskAwaitCriticalMilliseconds { get; init; } = 200;

    /// <summary>Average number of I/Os in flight (rate of io_time_weighted).</summary>
    [ValidRange(0, 1e6)]
    public double DiskQueueDepthWarning { get; init; } = 8;
    [ValidRange(0, 1e6)]
    public double DiskQueueDepthCritical { get; init; } = 32;

    [ValidRange(0, 100)]
    public double IoPressureWarningPercent { get; init; } = 20;
    [ValidRange(0, 100)]
    public double IoPressureCriticalPercent { get; init; } = 50;

    // Filesystems
    /// <summary>Available space as a share of size; below is bad.</summary>
    [ValidRange(0, 100)]
    public double FilesystemFreeWarningPercent { get; init; } = 10;
    [ValidRange(0, 100)]
    public double FilesystemFreeCriticalPercent { get; init; } = 5;

    [ValidRange(0, 100)]
    public double FilesystemInodesFreeWarningPercent { get; init; } = 10;
    [ValidRange(0, 100)]
    public double FilesystemInodesFreeCriticalPercent { get; init; } = 5;

    /// <summary>Forecast time until the filesystem is full; below is bad.</summary>
    [ValidRange(60, 365 * 86400)]
    public TimeSpan FilesystemFullWarning { get; init; } = TimeSpan.FromHours(24);
    [ValidRange(60, 365 * 86400)]
    public TimeSpan FilesystemFullCritical { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Forecasts below this confidence (0–1) are reported but never raise the severity.</summary>
    [ValidRange(0, 1)]
    public double ForecastMinConfidence { get; init; } = 0.9;

    /// <summary>Forecast time until MemAvailable reaches zero; below is bad.</summary>
    [ValidRange(60, 365 * 86400)]
    public TimeSpan MemoryExhaustedWarning { get; init; } = TimeSpan.FromHours(6);
    [ValidRange(60, 365 * 86400)]
    public TimeSpan MemoryExhaustedCritical { get; init; } = TimeSpan.FromHours(1);

    // Network
    /// <summary>Receive plus transmit errors per second on one interface.</summary>
    [ValidRange(0, 1e9)]
    public double NetworkErrorsWarningPerSecond { get; init; } = 1;
    [ValidRange(0, 1e9)]
    public double NetworkErrorsCriticalPerSecond { get; init; } = 100;

    [ValidRange(0, 1e9)]
    public double NetworkDropsWarningPerSecond { get; init; } = 10;
    [ValidRange(0, 1e9)]
    public double NetworkDropsCriticalPerSecond { get; init; } = 1000;

    /// <summary>TCP retransmitted segments over sent segments.</summary>
    [ValidRange(0, 100)]
    public double TcpRetransmitWarningPercent { get; init; } = 2;
    [ValidRange(0, 100)]
    public double TcpRetransmitCriticalPercent { get; init; } = 5;

    /// <summary>Below this many segments sent per second the retransmit ratio is too noisy to judge.</summary>
    [ValidRange(0, 1e9)]
    public double TcpRetransmitMinSegmentsPerSecond { get; init; } = 10;

    // File descriptors
    [ValidRange(0, 100)]
    public double FdUsageWarningPercent { get; init; } = 80;
    [ValidRange(0, 100)]
    public double FdUsageCriticalPercent { get; init; } = 95;

    // Processes
    [ValidRange(0, 1e6)]
    public double ZombiesWarning { get; init; } = 5;
    [ValidRange(0, 1e6)]
    public double ZombiesCritical { get; init; } = 50;

    /// <summary>Tasks in uninterruptible sleep (D state) averaged over the window.</summary>
    [ValidRange(0, 1e6)]
    public double BlockedWarning { get; init; } = 4;
    [ValidRange(0, 1e6)]
    public double BlockedCritical { get; init; } = 16;

    [ValidRange(1, 1e7)]
    public double ThreadsWarningPerProcess { get; init; } = 2000;
    [ValidRange(1, 1e7)]
    public double ThreadsCriticalPerProcess { get; init; } = 10000;

    // Thermal
    /// <summary>Degrees below the sensor's critical temperature at which it is reported.</summary>
    [ValidRange(0, 150)]
    public double ThermalWarningMarginCelsius { get; init; } = 10;
    [ValidRange(0, 150)]
    public double ThermalCriticalMarginCelsius { get; init; } = 3;

    /// <summary>Used for thermal zones, which expose no critical temperature.</summary>
    [ValidRange(0, 200)]
    public double ThermalZoneWarningCelsius { get; init; } = 90;
    [ValidRange(0, 200)]
    public double ThermalZoneCriticalCelsius { get; init; } = 100;

    /// <summary>Memory-leak detection.</summary>
    public LeakThresholds Leak { get; init; } = new();
}

/// <summary>When a growing memory series is called a leak.</summary>
public sealed record LeakThresholds
{
    /// <summary>Mann–Kendall two-sided p-value below which the upward trend counts as real.</summary>
    [ValidRange(0, 1)]
    public double MaxPValue { get; init; } = 0.01;

    /// <summary>Minimum Theil–Sen growth rate; 1 MB per minute by default.</summary>
    [ValidRange(0, 1e12)]
    public double MinBytesPerSecond { get; init; } = 1_000_000.0 / 60;

    /// <summary>The last third of the window must still grow at least this share of the overall rate.</summary>
    [ValidRange(0, 1)]
    public double MinTailRatio { get; init; } = 0.5;

    /// <summary>The floor (10% quantile) and the peaks (90% quantile) of the last third must both sit above the first third's by this share of the fitted rise.</summary>
    [ValidRange(0, 1)]
    public double MinFloorRiseRatio { get; init; } = 0.5;

    /// <summary>Fewer samples than this are never judged.</summary>
    [ValidRange(3, 100000)]
    public int MinSamples { get; init; } = 20;

    /// <summary>Series spanning less than this are never judged.</summary>
    [ValidRange(1, 30 * 86400)]
    public TimeSpan MinSpan { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A suspect is a warning; it is critical when its growth exhausts the memory limit sooner than this.</summary>
    [ValidRange(60, 365 * 86400)]
    public TimeSpan ExhaustionCritical { get; init; } = TimeSpan.FromHours(1);
}
