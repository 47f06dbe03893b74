using Microsoft.Extensions.Logging;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_cpu_seconds_total and node_cpu_guest_seconds_total from the per-CPU lines of /proc/stat, as
/// node_exporter's cpu collector. Values are clock ticks divided by USER_HZ = 100, which procfs hard-codes.
/// A per-CPU cache hides counters that go backwards (node_exporter #1686, #1903): a mode that decreases keeps
/// its previous value, and an idle counter that drops by 3 s or more is taken as a CPU hot-plugged back in,
/// so that CPU starts over from the new values.
/// </summary>
public sealed class CpuCollector(CollectorContext context) : ICollector
{
    private const double UserHz = 100;

    // node_exporter's jumpBackSeconds (cpu_linux.go).
    private const double JumpBackSeconds = 3.0;

    // Field order of a /proc/stat cpu line: user nice system idle iowait irq softirq steal guest guest_nice.
    private const int Idle = 3;
    private const int Guest = 8;
    private const int GuestNice = 9;
    private const int FieldCount = 10;

    // Bounds the label cache so a corrupt id cannot make it huge.
    private const int MaxCachedCpuNames = 8192;

    private static readonly string[] Modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];

    private readonly ProcFile _file = new(8 * 1024);
    private readonly string _path = context.Root.Proc("stat");
    private readonly ILogger _logger = context.Logger;
    private readonly Dictionary<int, CpuState> _cpus = [];
    private readonly List<string> _cpuNames = [];
    private readonly double[] _read = new double[FieldCount];
    private long _generation;

    public string Name => "cpu";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var generation = ++_generation;
        var seconds = sink.Family("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", MetricType.Counter, "cpu", "mode");
        var guest = sink.Family("node_cpu_guest_seconds_total", "Seconds the CPUs spent in guests (VMs) for each mode.", MetricType.Counter, "cpu", "mode");
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!TryParseCpuLine(line, out var id))
            {
                continue;
            }

            var state = Merge(id, generation);
            var cpu = CpuName(id);
            for (var mode = 0; mode < Modes.Length; mode++)
            {
                seconds.Add(state.Values[mode], cpu, Modes[mode]);
            }

            guest.Add(state.Values[Guest], cpu, "user");
            guest.Add(state.Values[GuestNice], cpu, "nice");
        }

        // A CPU that went offline leaves the output; if it comes back it starts from a fresh cache entry.
        foreach (var (id, state) in _cpus)
        {
            if (state.Generation != generation)
            {
                _cpus.Remove(id);
            }
        }
    }

    /// <summary>Parses a "cpuN ..." line into <see cref="_read"/>; false for the aggregate "cpu" line and other lines.</summary>
    private bool TryParseCpuLine(ReadOnlySpan<byte> line, out int id)
    {
        id = 0;
        var rest = line;
        if (!Span.NextField(ref rest, out var name) || name.Length < 4 || !name.StartsWith("cpu"u8)
            || !System.Buffers.Text.Utf8Parser.TryParse(name[3..], out id, out var consumed) || consumed != name.Length - 3 || id < 0)
        {
            return false;
        }

        // Older kernels lack the trailing fields (steal, guest, guest_nice); like procfs, they read as 0.
        for (var i = 0; i < FieldCount; i++)
        {
            if (!Span.NextField(ref rest, out var field))
            {
                _read[i] = 0;
                continue;
            }

            if (!Span.TryParseUInt64(field, out var ticks))
            {
                throw new FormatException($"{_path}: field {i + 1} of {Span.ToText(name)} is not a number: '{Span.ToText(line)}'");
            }

            _read[i] = ticks / UserHz;
        }

        return true;
    }

    private CpuState Merge(int id, long generation)
    {
        if (!_cpus.TryGetValue(id, out var state))
        {
            state = new CpuState();
            _cpus.Add(id, state);
        }

        state.Generation = generation;
        var cached = state.Values;
        if (cached[Idle] - _read[Idle] >= JumpBackSeconds)
        {
            _logger.LogDebug("CPU {Cpu} idle counter jumped back from {Old} to {New} seconds, possible hotplug; resetting its counters", id, cached[Idle], _read[Idle]);
            Array.Clear(cached);
        }

        for (var i = 0; i < FieldCount; i++)
        {
            if (_read[i] >= cached[i])
            {
                cached[i] = _read[i];
            }
            else
            {
                _logger.LogDebug("CPU {Cpu} counter {Field} jumped backwards from {Old} to {New}; keeping the old value", id, i, cached[i], _read[i]);
            }
        }

        return state;
    }

    private string CpuName(int id)
    {
        if (id >= MaxCachedCpuNames)
        {
            return id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        while (_cpuNames.Count <= id)
        {
            _cpuNames.Add(_cpuNames.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return _cpuNames[id];
    }

    private sealed class CpuState
    {
        public double[] Values { get; } = new double[FieldCount];

        public long Generation { get; set; }
    }
}
