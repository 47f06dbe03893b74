using System.Globalization;
using System.Text.RegularExpressions;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_disk_* from /proc/diskstats and node_disk_info from udev's database (/run/udev/data/b MAJOR:MINOR), as
/// node_exporter 1.5's diskstats collector. Field meanings: https://docs.kernel.org/admin-guide/iostats.html
/// </summary>
public sealed partial class DiskstatsCollector : ICollector
{
    // "Standard UNIX 512-byte sectors, not any device- or filesystem-specific block size" (block/stat.rst).
    private const double SectorBytes = 512;
    private const double SecondsPerTick = 0.001;

    private static readonly string[] DeviceLabel = ["device"];
    private static readonly string[] InfoLabels = ["device", "major", "minor", "path", "wwn", "model", "serial", "revision"];

    /// <summary>The fields after major, minor and name, in file order. Older kernels stop after 11 (or 15) of them.</summary>
    private static readonly IReadOnlyList<(string Name, string Help, MetricType Type, double Scale)> Fields =
    [
        ("node_disk_reads_completed_total", "The total number of reads completed successfully.", MetricType.Counter, 1),
        ("node_disk_reads_merged_total", "The total number of reads merged.", MetricType.Counter, 1),
        ("node_disk_read_bytes_total", "The total number of bytes read successfully.", MetricType.Counter, SectorBytes),
        ("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", MetricType.Counter, SecondsPerTick),
        ("node_disk_writes_completed_total", "The total number of writes completed successfully.", MetricType.Counter, 1),
        ("node_disk_writes_merged_total", "The number of writes merged.", MetricType.Counter, 1),
        ("node_disk_written_bytes_total", "The total number of bytes written successfully.", MetricType.Counter, SectorBytes),
        ("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", MetricType.Counter, SecondsPerTick),
        ("node_disk_io_now", "The number of I/Os currently in progress.", MetricType.Gauge, 1),
        ("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", MetricType.Counter, SecondsPerTick),
        ("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", MetricType.Counter, SecondsPerTick),
        ("node_disk_discards_completed_total", "The total number of discards completed successfully.", MetricType.Counter, 1),
        ("node_disk_discards_merged_total", "The total number of discards merged.", MetricType.Counter, 1),

        // node_exporter leaves discarded sectors unconverted.
        ("node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", MetricType.Counter, 1),
        ("node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.", MetricType.Counter, SecondsPerTick),
        ("node_disk_flush_requests_total", "The total number of flush requests completed successfully", MetricType.Counter, 1),
        ("node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.", MetricType.Counter, SecondsPerTick),
    ];

    private readonly ProcFile _file = new();
    private readonly ProcFile _udevFile = new(4096);
    private readonly NameCache _names = new();
    private readonly string _path;
    private readonly FsRoot _root;
    private readonly Dictionary<string, Device> _devices = new(StringComparer.Ordinal);

    public DiskstatsCollector(CollectorContext context)
    {
        _root = context.Root;
        _path = context.Root.Proc("diskstats");
    }

    public string Name => "diskstats";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_path, out var content))
        {
            throw new NoDataException($"{_path} is not readable");
        }

        var families = new MetricFamily[Fields.Count];
        for (var i = 0; i < families.Length; i++)
        {
            var (name, help, type, _) = Fields[i];
            families[i] = sink.Family(name, help, type, DeviceLabel);
        }

        var info = sink.Family("node_disk_info", "Info of /sys/block/<block_device>.", MetricType.Gauge, InfoLabels);
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!Span.NextField(ref line, out var majorField) || !Span.TryParseUInt64(majorField, out var major)
                || !Span.NextField(ref line, out var minorField) || !Span.TryParseUInt64(minorField, out var minor)
                || !Span.NextField(ref line, out var nameField))
            {
                continue;
            }

            var device = DeviceFor(_names.Get(nameField), major, minor);
            if (device.Excluded)
            {
                continue;
            }

            info.Add(1, device.InfoLabels(ReadUdev(device.UdevPath)));
            for (var i = 0; i < families.Length; i++)
            {
                if (!Span.NextField(ref line, out var field) || !Span.TryParseUInt64(field, out var value))
                {
                    break;
                }

                families[i].Add(value * Fields[i].Scale, device.Labels);
            }
        }
    }

    // The default of node_exporter's --collector.diskstats.device-exclude: whole disks stay, partitions go.
    // v1.5.0 had "ram"; "z?ram" (zram swap devices) is from v1.8.0 and is what this project asked for.
    [GeneratedRegex(@"^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultDeviceExclude();

    private Device DeviceFor(string name, ulong major, ulong minor)
    {
        if (_devices.TryGetValue(name, out var known) && known.MajorNumber == major && known.MinorNumber == minor)
        {
            return known;
        }

        var majorText = major.ToString(CultureInfo.InvariantCulture);
        var minorText = minor.ToString(CultureInfo.InvariantCulture);
        var device = new Device(
            name,
            major,
            minor,
            majorText,
            minorText,
            _root.Run($"udev/data/b{majorText}:{minorText}"),
            DefaultDeviceExclude().IsMatch(name));
        _devices[name] = device;
        return device;
    }

    /// <summary>The E: (property) lines node_disk_info uses; empty strings when the device has no udev entry.</summary>
    private UdevInfo ReadUdev(string path)
    {
        var result = new UdevInfo(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty);
        if (!_udevFile.TryRead(path, out var content))
        {
            return result;
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!line.StartsWith("E:"u8))
            {
                continue;
            }

            var property = line[2..];
            var eq = property.IndexOf((byte)'=');
            if (eq < 0)
            {
                continue;
            }

            var key = property[..eq];
            var value = property[(eq + 1)..];
            if (key.SequenceEqual("ID_PATH"u8))
            {
                result = result with { Path = _names.Get(value) };
            }
            else if (key.SequenceEqual("ID_WWN"u8))
            {
                result = result with { Wwn = _names.Get(value) };
            }
            else if (key.SequenceEqual("ID_MODEL"u8))
            {
                result = result with { Model = _names.Get(value) };
            }
            else if (key.SequenceEqual("ID_SERIAL_SHORT"u8))
            {
                // v1.5.0 takes the serial from ID_SERIAL_SHORT only; SCSI_IDENT_SERIAL and ID_SERIAL came in v1.6+.
                result = result with { Serial = _names.Get(value) };
            }
            else if (key.SequenceEqual("ID_REVISION"u8))
            {
                result = result with { Revision = _names.Get(value) };
            }
        }

        return result;
    }

    /// <summary>A block device as last seen, with its label arrays built once rather than per sample and scrape.</summary>
    private sealed record Device(string Name, ulong MajorNumber, ulong MinorNumber, string Major, string Minor, string UdevPath, bool Excluded)
    {
        private UdevInfo _udev;
        private string[]? _infoLabels;

        public string[] Labels { get; } = [Name];

        /// <summary>node_disk_info's labels, rebuilt only when the udev properties changed.</summary>
        public string[] InfoLabels(UdevInfo udev)
        {
            if (_infoLabels is null || udev != _udev)
            {
                _udev = udev;
                _infoLabels = [Name, Major, Minor, udev.Path, udev.Wwn, udev.Model, udev.Serial, udev.Revision];
            }

            return _infoLabels;
        }
    }

    private readonly record struct UdevInfo(string Path, string Wwn, string Model, string Serial, string Revision);
}
