using System.Globalization;
using System.Text.RegularExpressions;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_hwmon_* from /sys/class/hwmon/hwmon*/, as node_exporter 1.5's hwmon collector: every sensor file
/// TYPE N _PROPERTY becomes node_hwmon_TYPE[_PROPERTY]_UNIT{chip,sensor="TYPEN"}, scaled from the kernel's
/// milli-units (Documentation/hwmon/sysfs-interface.rst); plus node_hwmon_chip_names and node_hwmon_sensor_label.
/// The chip label is node_exporter's stable name: "&lt;bus&gt;_&lt;device&gt;" from the device symlink, else the
/// chip's name file, else the hwmonN directory name.
/// </summary>
public sealed partial class HwmonCollector(CollectorContext context) : ICollector
{
    private static readonly string[] ChipSensor = ["chip", "sensor"];
    private static readonly string[] ChipNameLabels = ["chip", "chip_name"];
    private static readonly string[] SensorLabelLabels = ["chip", "sensor", "label"];
    private static readonly HashSet<string> SensorTypes = new(StringComparer.Ordinal)
    {
        "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power", "energy", "humidity", "intrusion",
    };

    private readonly ProcFile _file = new(256);
    private readonly NameCache _names = new();
    private readonly string _directory = context.Root.Sys("class/hwmon");

    public string Name => "hwmon";

    public void Update(MetricSink sink)
    {
        if (!Directory.Exists(_directory))
        {
            throw new NoDataException($"{_directory} does not exist");
        }

        // An existing but empty class directory is a success with nothing to report, as in node_exporter.
        foreach (var chip in Directory.EnumerateFileSystemEntries(_directory).Where(Directory.Exists).Order(StringComparer.Ordinal))
        {
            UpdateChip(sink, chip);
        }
    }

    [GeneratedRegex("^(?<type>[^0-9]+)(?<id>[0-9]*)?(_(?<property>.+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SensorFileName();

    [GeneratedRegex("[^a-z0-9:_]", RegexOptions.CultureInvariant)]
    private static partial Regex InvalidNameChars();

    private void UpdateChip(MetricSink sink, string directory)
    {
        var chip = ChipName(directory);
        if (chip is null)
        {
            return;
        }

        // sensor ("temp1") → property ("input", "" for a file with none) → raw value
        var sensors = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        CollectSensorFiles(directory, sensors);
        var device = Path.Join(directory, "device");
        if (Directory.Exists(device))
        {
            // Older drivers put the sensor files on the device rather than the hwmon class directory.
            CollectSensorFiles(device, sensors);
        }

        if (ReadName(directory) is { } chipName)
        {
            sink.Family("node_hwmon_chip_names", "Annotation metric for human-readable chip names", MetricType.Gauge, ChipNameLabels)
                .Add(1, chip, chipName);
        }

        foreach (var (sensor, properties) in sensors)
        {
            var type = SensorFileName().Match(sensor).Groups["type"].Value;
            if (properties.TryGetValue("label", out var label))
            {
                sink.Family("node_hwmon_sensor_label", "Label for given chip and sensor", MetricType.Gauge, SensorLabelLabels)
                    .Add(1, chip, sensor, label);
            }

            switch (type)
            {
                case "beep_enable":
                    Gauge(sink, "node_hwmon_beep_enabled", "Hardware beep enabled", properties.GetValueOrDefault(string.Empty) == "1" ? 1 : 0, chip, sensor);
                    continue;
                case "vrm":
                    if (TryParse(properties.GetValueOrDefault(string.Empty), out var vrm))
                    {
                        Gauge(sink, "node_hwmon_voltage_regulator_version", "Hardware voltage regulator", vrm, chip, sensor);
                    }

                    continue;
                case "update_interval":
                    if (TryParse(properties.GetValueOrDefault(string.Empty), out var interval))
                    {
                        Gauge(sink, "node_hwmon_update_interval_seconds", "Hardware monitor update interval", interval * 0.001, chip, sensor);
                    }

                    continue;
            }

            foreach (var (element, raw) in properties)
            {
                if (element == "label" || !TryParse(raw, out var value))
                {
                    continue;
                }

                EmitElement(sink, type, element, properties.ContainsKey(string.Empty), value, chip, sensor);
            }
        }
    }

    /// <summary>One sensor property, named and scaled as node_exporter's hwmon_linux.go does.</summary>
    private static void EmitElement(MetricSink sink, string type, string element, bool hasBareValue, double value, string chip, string sensor)
    {
        var name = "node_hwmon_" + type;
        if (element == "input")
        {
            // "input" is the reading itself, unless the sensor also has a bare file (pwm1 next to pwm1_input).
            if (hasBareValue)
            {
                name += "_input";
            }
        }
        else if (element.Length > 0)
        {
            name += "_" + CleanName(element);
        }

        if (element is "fault" or "alarm")
        {
            // Status flags carry no unit.
            Gauge(sink, name, $"Hardware sensor {element} status ({type})", value, chip, sensor);
            return;
        }

        if (element == "beep")
        {
            Gauge(sink, name + "_enabled", "Hardware monitor sensor has beeping enabled", value, chip, sensor);
            return;
        }

        switch (type)
        {
            case "in" or "cpu":
                Gauge(sink, name + "_volts", $"Hardware monitor for voltage ({element})", value * 0.001, chip, sensor);
                break;
            case "temp" when element != "type":
                Gauge(sink, name + "_celsius", $"Hardware monitor for temperature ({(element.Length == 0 ? "input" : element)})", value * 0.001, chip, sensor);
                break;
            case "curr":
                Gauge(sink, name + "_amps", $"Hardware monitor for current ({element})", value * 0.001, chip, sensor);
                break;
            case "energy":
                sink.Family(name + "_joule_total", $"Hardware monitor for joules used so far ({element})", MetricType.Counter, ChipSensor)
                    .Add(value / 1_000_000.0, chip, sensor);
                break;
            case "power" when element == "accuracy":
                Gauge(sink, name, "Hardware monitor power meter accuracy, as a ratio", value / 1_000_000.0, chip, sensor);
                break;
            case "power" when element is "average_interval" or "average_interval_min" or "average_interval_max":
                Gauge(sink, name + "_seconds", $"Hardware monitor power usage update interval ({element})", value * 0.001, chip, sensor);
                break;
            case "power":
                Gauge(sink, name + "_watt", $"Hardware monitor for power usage in watts ({element})", value / 1_000_000.0, chip, sensor);
                break;
            case "humidity":
                Gauge(sink, name, $"Hardware monitor for humidity ({element})", value * 0.001, chip, sensor);
                break;
            case "fan" when element is "input" or "min" or "max" or "target":
                Gauge(sink, name + "_rpm", $"Hardware monitor for fan revolutions per minute ({element})", value, chip, sensor);
                break;
            default:
                Gauge(sink, name, $"Hardware monitor {type} element {element}", value, chip, sensor);
                break;
        }
    }

    private static void Gauge(MetricSink sink, string name, string help, double value, string chip, string sensor) =>
        sink.Family(name, help, MetricType.Gauge, ChipSensor).Add(value, chip, sensor);

    private void CollectSensorFiles(string directory, SortedDictionary<string, SortedDictionary<string, string>> sensors)
    {
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(directory).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var file in files)
        {
            var match = SensorFileName().Match(Path.GetFileName(file));
            if (!match.Success || !SensorTypes.Contains(match.Groups["type"].Value)
                || (!int.TryParse(match.Groups["id"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && match.Groups["id"].Length > 0)
                || !_file.TryRead(file, out var content))
            {
                continue;
            }

            var sensor = match.Groups["type"].Value + id.ToString(CultureInfo.InvariantCulture);
            if (!sensors.TryGetValue(sensor, out var properties))
            {
                properties = new SortedDictionary<string, string>(StringComparer.Ordinal);
                sensors[sensor] = properties;
            }

            properties[match.Groups["property"].Value] = _names.Get(content.TrimEnd((byte)'\n'));
        }
    }

    /// <summary>node_exporter's hwmonName: a name for the chip that stays the same across reboots and module load order.</summary>
    private string? ChipName(string directory)
    {
        var realDirectory = Resolve(directory);
        var device = Path.Join(realDirectory, "device");
        if (Directory.Exists(device))
        {
            var devicePath = Resolve(device);
            var deviceName = CleanName(Path.GetFileName(devicePath));
            var bus = CleanName(Path.GetFileName(Path.GetDirectoryName(devicePath)) ?? string.Empty);
            if (bus.Length > 0 && deviceName.Length > 0)
            {
                return bus + "_" + deviceName;
            }

            if (deviceName.Length > 0)
            {
                return deviceName;
            }
        }

        if (ReadName(directory) is { } name)
        {
            return name;
        }

        var fallback = CleanName(Path.GetFileName(realDirectory));
        return fallback.Length > 0 ? fallback : null;
    }

    /// <summary>The chip's name file, cleaned to metric-name characters; null when missing or empty.</summary>
    private string? ReadName(string directory)
    {
        if (!_file.TryRead(Path.Join(directory, "name"), out var content))
        {
            return null;
        }

        var name = CleanName(_names.Get(content));
        return name.Length > 0 ? name : null;
    }

    /// <summary>
    /// Follows a symlink to its final target. sysfs links are relative to the directory holding them, so resolving
    /// the hwmonN link first and then its "device" link gives the real device path, as Go's EvalSymlinks does.
    /// </summary>
    private static string Resolve(string path)
    {
        try
        {
            var target = new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return Path.TrimEndingDirectorySeparator(target?.FullName ?? path);
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static string CleanName(string raw) =>
        InvalidNameChars().Replace(raw.ToLowerInvariant(), "_").Trim('_');

    private static bool TryParse(string? raw, out double value) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
