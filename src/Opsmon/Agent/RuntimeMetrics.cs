using Opsmon.Collectors.Linux.Processes;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Agent;

/// <summary>
/// The agent's own process and .NET runtime figures, as every Prometheus client library's exporter publishes them
/// (node_exporter and process-exporter do through client_golang): <c>process_*</c> with client_golang's names and
/// units, read from <c>/proc/self</c> with the process collector's parsers, and <c>dotnet_*</c> from the garbage collector. What the agent costs its host
/// is then one query away, and an agent that grows shows in its own history.
/// </summary>
public sealed class RuntimeMetrics(string procRoot = "/proc")
{
    private const double UserHz = 100; // USER_HZ: the unit of /proc/PID/stat's times on every Linux architecture.

    private readonly ProcFile _file = new(4096);
    private readonly FdCounter _fds = new(FdCounter.IsProcfs(procRoot));
    private readonly string _self = Path.Combine(procRoot, "self");
    private readonly string _procRoot = procRoot;
    private double? _bootTime;

    public void Update(MetricSink sink)
    {
        if (_file.TryRead(Path.Combine(_self, "stat"), out var stat) && ProcStat.TryParse(stat, out var s, out _))
        {
            sink.Single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType.Counter,
                (s.UserTicks + s.SystemTicks) / UserHz);
            sink.Single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType.Gauge, s.VirtualBytes);
            sink.Single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType.Gauge,
                s.ResidentPages * (double)Environment.SystemPageSize);
            if (BootTime() is { } boot)
            {
                sink.Single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricType.Gauge,
                    boot + s.StartTicks / UserHz);
            }
        }

        if (_fds.Count(Path.Combine(_self, "fd")) is var fds and >= 0)
        {
            sink.Single("process_open_fds", "Number of open file descriptors.", MetricType.Gauge, fds);
        }

        // The soft limit; none when absent (0) or unlimited (MaxValue).
        if (_file.TryRead(Path.Combine(_self, "limits"), out var limits) && ProcLimits.OpenFilesSoftLimit(limits) is var max and not (0 or ulong.MaxValue))
        {
            sink.Single("process_max_fds", "Maximum number of open file descriptors.", MetricType.Gauge, max);
        }

        var gc = GC.GetGCMemoryInfo();
        var collections = sink.Family("dotnet_collection_count_total", "Garbage collections since the agent started, by generation.",
            MetricType.Counter, "generation");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            collections.Add(GC.CollectionCount(generation), [generation.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        sink.Single("dotnet_total_memory_bytes", "Bytes of live and not yet collected objects on the managed heap.", MetricType.Gauge,
            GC.GetTotalMemory(false));
        sink.Single("dotnet_gc_heap_size_bytes", "Size of the managed heap after the last garbage collection, fragmentation included.",
            MetricType.Gauge, gc.HeapSizeBytes);
        sink.Single("dotnet_gc_committed_bytes", "Memory the garbage collector holds committed for the managed heap.", MetricType.Gauge,
            gc.TotalCommittedBytes);
        sink.Single("dotnet_gc_pause_seconds_total", "Time the garbage collector paused the agent.", MetricType.Counter,
            GC.GetTotalPauseDuration().TotalSeconds);
        sink.Single("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the agent started.", MetricType.Counter,
            GC.GetTotalAllocatedBytes());
    }

    private double? BootTime()
    {
        if (_bootTime is null && _file.TryRead(Path.Combine(_procRoot, "stat"), out var stat) && SystemStat.TryParseBootTime(stat, out var btime))
        {
            _bootTime = btime;
        }

        return _bootTime;
    }
}
