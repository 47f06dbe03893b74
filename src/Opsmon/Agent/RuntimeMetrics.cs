using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Agent;

/// <summary>
/// The agent's own process and .NET runtime figures, as every Prometheus client library's exporter publishes them
/// (node_exporter and process-exporter do through client_golang): <c>process_*</c> with client_golang's names and
/// units, read from <c>/proc/self</c>, and <c>dotnet_*</c> from the garbage collector. What the agent costs its host
/// is then one query away, and an agent that grows shows in its own history.
/// </summary>
public sealed class RuntimeMetrics(string procRoot = "/proc")
{
    private const double UserHz = 100; // USER_HZ: the unit of /proc/PID/stat's times on every Linux architecture.

    private readonly ProcFile _file = new(4096);
    private readonly string _self = Path.Combine(procRoot, "self");
    private readonly string _procRoot = procRoot;
    private double? _bootTime;

    public void Update(MetricSink sink)
    {
        if (_file.TryRead(Path.Combine(_self, "stat"), out var stat) && ProcessStat.TryParse(stat, out var s))
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

        if (OpenFds() is { } fds)
        {
            sink.Single("process_open_fds", "Number of open file descriptors.", MetricType.Gauge, fds);
        }

        if (_file.TryRead(Path.Combine(_self, "limits"), out var limits) && ProcessStat.TryParseMaxOpenFiles(limits, out var max))
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
        if (_bootTime is null && _file.TryRead(Path.Combine(_procRoot, "stat"), out var stat))
        {
            while (Span.NextLine(ref stat, out var line))
            {
                if (line.StartsWith("btime "u8) && Span.TryParseInt64(Span.Trim(line[6..]), out var btime))
                {
                    _bootTime = btime;
                }
            }
        }

        return _bootTime;
    }

    private int? OpenFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(Path.Combine(_self, "fd")).Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The fields of /proc/PID/stat that <see cref="RuntimeMetrics"/> publishes.</summary>
public readonly record struct ProcessStat(ulong UserTicks, ulong SystemTicks, ulong StartTicks, ulong VirtualBytes, ulong ResidentPages)
{
    /// <summary>Parses /proc/PID/stat; the command name (field 2) may hold spaces and parentheses, so fields count from its last ')'.</summary>
    public static bool TryParse(ReadOnlySpan<byte> stat, out ProcessStat result)
    {
        result = default;
        var close = stat.LastIndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        // After the name: state (field 3) … utime (14), stime (15) … starttime (22), vsize (23), rss (24).
        var rest = stat[(close + 1)..];
        Span<ulong> fields = stackalloc ulong[25];
        for (var field = 3; field <= 24; field++)
        {
            if (!Span.NextField(ref rest, out var text))
            {
                return false;
            }

            if (field != 3 && !Span.TryParseUInt64(text, out fields[field]) && !(Span.TryParseInt64(text, out var signed) && signed < 0))
            {
                return false;
            }
        }

        result = new ProcessStat(fields[14], fields[15], fields[22], fields[23], fields[24]);
        return true;
    }

    /// <summary>The soft limit of "Max open files" in /proc/PID/limits; false when absent or unlimited.</summary>
    public static bool TryParseMaxOpenFiles(ReadOnlySpan<byte> limits, out ulong soft)
    {
        soft = 0;
        while (Span.NextLine(ref limits, out var line))
        {
            if (line.StartsWith("Max open files"u8))
            {
                var rest = line["Max open files"u8.Length..];
                return Span.NextField(ref rest, out var value) && Span.TryParseUInt64(value, out soft);
            }
        }

        return false;
    }
}
