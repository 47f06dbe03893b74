namespace Opsmon.Analysis.Checks;

/// <summary>The checks <see cref="Analyzer"/> runs by default. A new check is one file plus one line here.</summary>
public static class CheckRegistry
{
    public static IReadOnlyList<IDoctorCheck> CreateDefault() =>
    [
        new CpuUtilizationCheck(),
        new RunQueueCheck(),
        new CpuPressureCheck(),
        new CpuIowaitCheck(),
        new CpuStealCheck(),
        new CgroupThrottlingCheck(),
        new CgroupPressureCheck(),
        new MemoryAvailableCheck(),
        new MemoryPressureCheck(),
        new SwapActivityCheck(),
        new MajorFaultsCheck(),
        new OomKillCheck(),
        new CgroupMemoryCheck(),
        new MemoryExhaustionCheck(),
        new MemoryLeakCheck(),
        new DiskUtilizationCheck(),
        new DiskLatencyCheck(),
        new DiskQueueCheck(),
        new IoPressureCheck(),
        new FilesystemSpaceCheck(),
        new FilesystemInodesCheck(),
        new FilesystemFullForecastCheck(),
        new NetworkErrorsCheck(),
        new TcpRetransmitCheck(),
        new FileDescriptorsCheck(),
        new ProcessFileDescriptorsCheck(),
        new ZombieProcessesCheck(),
        new BlockedProcessesCheck(),
        new ThreadCountCheck(),
        new ThermalCheck(),
        new TopConsumersCheck(),
    ];
}
