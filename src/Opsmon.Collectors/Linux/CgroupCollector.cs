using Opsmon.Collectors.Linux.Processes;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// Per-cgroup CPU, memory, PSI and pids from the cgroup v2 hierarchy, down to <see cref="CollectorOptions.CgroupDepth"/>
/// levels below its root. The hierarchy is found in /proc/self/mountinfo: /sys/fs/cgroup on pure v2 hosts,
/// /sys/fs/cgroup/unified on hybrid ones. Files a cgroup lacks (controllers not enabled, the root's) are skipped.
/// https://docs.kernel.org/admin-guide/cgroup-v2.html
/// </summary>
public sealed class CgroupCollector(CollectorContext context) : ICollector
{
    private const double MicrosPerSecond = 1e6;
    private const string Cgroup = "cgroup";

    private static readonly string[] Resources = ["cpu", "memory", "io"];

    private readonly ProcFile _file = new(4096);
    private readonly List<(string Path, string Label)> _cgroups = [];
    private string? _mountPoint;

    public string Name => "cgroup";

    public void Update(MetricSink sink)
    {
        var root = MountPoint();
        _cgroups.Clear();
        _cgroups.Add((root, "/"));
        Walk(root, string.Empty, Math.Max(0, context.Options.CgroupDepth));
        foreach (var (path, label) in _cgroups)
        {
            ReadCpuStat(path, label, sink);
            ReadMemory(path, label, sink);
            ReadPressure(path, label, sink);
            if (_file.TryReadInt64(Path.Join(path, "pids.current"), out var pids))
            {
                sink.Family("opsmon_cgroup_pids_current", "Processes and threads in the cgroup (pids.current).", MetricType.Gauge, Cgroup).Add(pids, label);
            }
        }
    }

    private string MountPoint()
    {
        if (_mountPoint is not null)
        {
            return _mountPoint;
        }

        var path = context.Root.Proc("self/mountinfo");
        if (!_file.TryRead(path, out var content))
        {
            throw new NoDataException($"{path} is not readable");
        }

        var mount = MountInfo.FindMountPoint(content, "cgroup2"u8)
            ?? throw new NoDataException($"no cgroup2 mount in {path}");
        var mountPoint = context.Root.Rooted(mount);
        if (!Directory.Exists(mountPoint))
        {
            throw new NoDataException($"cgroup2 mount {mountPoint} does not exist");
        }

        return _mountPoint = mountPoint;
    }

    private void Walk(string dir, string label, int depth)
    {
        if (depth == 0)
        {
            return;
        }

        string[] children;
        try
        {
            children = Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cgroup removed while we walk is not an error.
            return;
        }

        Array.Sort(children, StringComparer.Ordinal);
        foreach (var child in children)
        {
            var childLabel = label + "/" + Path.GetFileName(child);
            _cgroups.Add((child, childLabel));
            Walk(child, childLabel, depth - 1);
        }
    }

    private void ReadCpuStat(string path, string label, MetricSink sink)
    {
        if (!_file.TryRead(Path.Join(path, "cpu.stat"), out var content))
        {
            return;
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!Span.NextField(ref line, out var key) || !Span.NextField(ref line, out var field) || !Span.TryParseUInt64(field, out var value))
            {
                continue;
            }

            var (name, help, divisor) = key switch
            {
                _ when key.SequenceEqual("usage_usec"u8) => ("opsmon_cgroup_cpu_usage_seconds_total", "CPU time used by the cgroup (cpu.stat usage_usec).", MicrosPerSecond),
                _ when key.SequenceEqual("user_usec"u8) => ("opsmon_cgroup_cpu_user_seconds_total", "User CPU time used by the cgroup (cpu.stat user_usec).", MicrosPerSecond),
                _ when key.SequenceEqual("system_usec"u8) => ("opsmon_cgroup_cpu_system_seconds_total", "System CPU time used by the cgroup (cpu.stat system_usec).", MicrosPerSecond),
                _ when key.SequenceEqual("nr_periods"u8) => ("opsmon_cgroup_cpu_periods_total", "Enforcement periods elapsed under a CPU limit (cpu.stat nr_periods).", 1.0),
                _ when key.SequenceEqual("nr_throttled"u8) => ("opsmon_cgroup_cpu_throttled_periods_total", "Periods in which the cgroup was throttled (cpu.stat nr_throttled).", 1.0),
                _ when key.SequenceEqual("throttled_usec"u8) => ("opsmon_cgroup_cpu_throttled_seconds_total", "Time the cgroup was throttled (cpu.stat throttled_usec).", MicrosPerSecond),
                _ => (null, null, 1.0),
            };
            if (name is not null)
            {
                sink.Family(name, help!, MetricType.Counter, Cgroup).Add(value / divisor, label);
            }
        }
    }

    private void ReadMemory(string path, string label, MetricSink sink)
    {
        if (_file.TryReadInt64(Path.Join(path, "memory.current"), out var current))
        {
            sink.Family("opsmon_cgroup_memory_current_bytes", "Memory used by the cgroup and its descendants (memory.current).", MetricType.Gauge, Cgroup).Add(current, label);
        }

        if (TryReadLimit(Path.Join(path, "memory.max"), out var max))
        {
            sink.Family("opsmon_cgroup_memory_max_bytes", "Hard memory limit (memory.max); +Inf when unlimited.", MetricType.Gauge, Cgroup).Add(max, label);
        }

        if (TryReadLimit(Path.Join(path, "memory.high"), out var high))
        {
            sink.Family("opsmon_cgroup_memory_high_bytes", "Memory throttling threshold (memory.high); +Inf when unlimited.", MetricType.Gauge, Cgroup).Add(high, label);
        }

        if (!_file.TryRead(Path.Join(path, "memory.events"), out var content))
        {
            return;
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!Span.NextField(ref line, out var key) || !Span.NextField(ref line, out var field) || !Span.TryParseUInt64(field, out var value))
            {
                continue;
            }

            var name = key switch
            {
                _ when key.SequenceEqual("low"u8) => "low",
                _ when key.SequenceEqual("high"u8) => "high",
                _ when key.SequenceEqual("max"u8) => "max",
                _ when key.SequenceEqual("oom"u8) => "oom",
                _ when key.SequenceEqual("oom_kill"u8) => "oom_kill",
                _ => null,
            };
            if (name is not null)
            {
                sink.Family("opsmon_cgroup_memory_events_total", "Memory events of the cgroup and its descendants (memory.events).", MetricType.Counter, Cgroup, "event")
                    .Add(value, label, name);
            }
        }
    }

    private void ReadPressure(string path, string label, MetricSink sink)
    {
        foreach (var resource in Resources)
        {
            if (!_file.TryRead(Path.Join(path, resource + ".pressure"), out var content))
            {
                continue;
            }

            var rest = content;
            while (Span.NextLine(ref rest, out var line))
            {
                // "some avg10=0.00 avg60=0.00 avg300=0.00 total=123" (µs)
                if (!Span.NextField(ref line, out var kind))
                {
                    continue;
                }

                var total = Total(line);
                if (total is null)
                {
                    continue;
                }

                if (kind.SequenceEqual("some"u8))
                {
                    sink.Family("opsmon_cgroup_pressure_waiting_seconds_total", "Time some tasks of the cgroup waited for the resource (PSI some total).", MetricType.Counter, Cgroup, "resource")
                        .Add(total.Value / MicrosPerSecond, label, resource);
                }
                else if (kind.SequenceEqual("full"u8))
                {
                    sink.Family("opsmon_cgroup_pressure_stalled_seconds_total", "Time all non-idle tasks of the cgroup stalled on the resource (PSI full total).", MetricType.Counter, Cgroup, "resource")
                        .Add(total.Value / MicrosPerSecond, label, resource);
                }
            }
        }
    }

    private static ulong? Total(ReadOnlySpan<byte> fields)
    {
        while (Span.NextField(ref fields, out var field))
        {
            if (field.StartsWith("total="u8) && Span.TryParseUInt64(field[6..], out var total))
            {
                return total;
            }
        }

        return null;
    }

    private bool TryReadLimit(string path, out double value)
    {
        value = 0;
        if (!_file.TryRead(path, out var content))
        {
            return false;
        }

        var text = Span.Trim(content);
        if (text.SequenceEqual("max"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (Span.TryParseInt64(text, out var bytes))
        {
            value = bytes;
            return true;
        }

        return false;
    }

}
