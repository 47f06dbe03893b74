namespace Opsmon.Collectors;

/// <summary>A collector's registration: its name (which makes the --collector.NAME flag), default state and factory.</summary>
public sealed record CollectorRegistration(string Name, bool EnabledByDefault, string Description, Func<CollectorContext, ICollector> Create);

/// <summary>Every collector Opsmon has. A new collector is one file in Linux/ plus one line here.</summary>
public static class CollectorCatalog
{
    public static IReadOnlyList<CollectorRegistration> All { get; } =
    [
        new("loadavg", true, "Load averages from /proc/loadavg.", c => new Linux.LoadavgCollector(c)),
        new("cpu", true, "Seconds each CPU spent in each mode, from /proc/stat.", c => new Linux.CpuCollector(c)),
        new("stat", true, "Interrupts, context switches, forks, boot time and process states from /proc/stat.", c => new Linux.StatCollector(c)),
        new("meminfo", true, "Memory statistics from /proc/meminfo.", c => new Linux.MeminfoCollector(c)),
        new("vmstat", true, "Virtual memory statistics from /proc/vmstat.", c => new Linux.VmstatCollector(c)),
        new("pressure", true, "Pressure stall information from /proc/pressure.", c => new Linux.PressureCollector(c)),
        new("filefd", true, "Allocated and maximum file handles from /proc/sys/fs/file-nr.", c => new Linux.FilefdCollector(c)),
        new("uname", true, "Kernel name, release, version, machine and host name, as uname(2) gives them.", c => new Linux.UnameCollector(c)),
        new("os", true, "Operating system release from /etc/os-release.", c => new Linux.OsReleaseCollector(c)),
        new("diskstats", true, "Block device I/O statistics from /proc/diskstats, device info from /run/udev/data.", c => new Linux.DiskstatsCollector(c)),
        new("netdev", true, "Network device statistics from /proc/net/dev.", c => new Linux.NetdevCollector(c)),
        new("filesystem", true, "File system sizes and free space from the mount table and statfs(2).", c => new Linux.FilesystemCollector(c)),
        new("sockstat", true, "Socket statistics from /proc/net/sockstat and sockstat6.", c => new Linux.SockstatCollector(c)),
        new("netstat", true, "Network protocol counters from /proc/net/netstat, snmp and snmp6.", c => new Linux.NetstatCollector(c)),
        new("thermal_zone", true, "Thermal zone temperatures and cooling device states from /sys/class/thermal.", c => new Linux.ThermalZoneCollector(c)),
        new("hwmon", true, "Hardware monitor sensors from /sys/class/hwmon.", c => new Linux.HwmonCollector(c)),
        new("processes", true, "Per-group process metrics compatible with process-exporter, and the top processes by memory, CPU, memory growth and I/O with their cgroup, from /proc/PID.", c => new Linux.ProcessCollector(c)),
        new("cgroup", true, "CPU, memory, pressure and pids of cgroup v2 groups down to the configured depth.", c => new Linux.CgroupCollector(c)),
    ];

    public static CollectorRegistration? Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));
}
