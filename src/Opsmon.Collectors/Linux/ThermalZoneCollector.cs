using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_thermal_zone_temp{zone,type} (°C) and node_cooling_device_{cur,max}_state{name,type} from
/// /sys/class/thermal, as node_exporter 1.5's thermal_zone collector. zone/name are the directory's number
/// ("thermal_zone3" → "3"). A zone or device missing a required file is skipped, as procfs does.
/// </summary>
public sealed class ThermalZoneCollector(CollectorContext context) : ICollector
{
    private static readonly string[] ZoneLabels = ["zone", "type"];
    private static readonly string[] CoolingLabels = ["name", "type"];

    private readonly ProcFile _file = new(256);
    private readonly NameCache _names = new();
    private readonly string _directory = context.Root.Sys("class/thermal");

    public string Name => "thermal_zone";

    public void Update(MetricSink sink)
    {
        if (!Directory.Exists(_directory))
        {
            throw new NoDataException($"{_directory} does not exist");
        }

        // An existing but empty class directory (a VM) is a success with nothing to report, as in node_exporter.
        var zones = Numbered("thermal_zone");
        var coolingDevices = Numbered("cooling_device");
        if (zones.Count > 0)
        {
            var temp = sink.Family("node_thermal_zone_temp", "Zone temperature in Celsius", MetricType.Gauge, ZoneLabels);
            foreach (var (number, path) in zones)
            {
                if (TryReadText(Path.Join(path, "type"), out var type) && _file.TryReadInt64(Path.Join(path, "temp"), out var milliCelsius))
                {
                    temp.Add(milliCelsius / 1000.0, number, type);
                }
            }
        }

        if (coolingDevices.Count > 0)
        {
            var current = sink.Family("node_cooling_device_cur_state", "Current throttle state of the cooling device", MetricType.Gauge, CoolingLabels);
            var max = sink.Family("node_cooling_device_max_state", "Maximum throttle state of the cooling device", MetricType.Gauge, CoolingLabels);
            foreach (var (number, path) in coolingDevices)
            {
                // cur_state may be -1 (intel_powerclamp while idle).
                if (TryReadText(Path.Join(path, "type"), out var type)
                    && _file.TryReadInt64(Path.Join(path, "cur_state"), out var currentState)
                    && _file.TryReadInt64(Path.Join(path, "max_state"), out var maxState))
                {
                    current.Add(currentState, number, type);
                    max.Add(maxState, number, type);
                }
            }
        }
    }

    /// <summary>Entries named PREFIX followed by digits (sysfs makes them symlinks to directories), in number order.</summary>
    private List<(string Number, string Path)> Numbered(string prefix)
    {
        var found = new List<(string Number, string Path)>();
        foreach (var path in Directory.EnumerateFileSystemEntries(_directory, prefix + "*"))
        {
            var number = Path.GetFileName(path.AsSpan())[prefix.Length..];
            if (number.IsEmpty || number.ContainsAnyExceptInRange('0', '9') || !Directory.Exists(path))
            {
                continue;
            }

            found.Add((number.ToString(), path));
        }

        found.Sort((a, b) => a.Number.Length != b.Number.Length
            ? a.Number.Length.CompareTo(b.Number.Length)
            : string.CompareOrdinal(a.Number, b.Number));
        return found;
    }

    private bool TryReadText(string path, out string text)
    {
        if (!_file.TryRead(path, out var content))
        {
            text = string.Empty;
            return false;
        }

        text = _names.Get(Span.Trim(content));
        return true;
    }
}
