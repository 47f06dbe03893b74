using System.Text.RegularExpressions;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_filesystem_* from the mount table and statfs(2), as node_exporter 1.5's filesystem collector: same names,
/// labels, default exclusions, stuck-mount handling. Mounts come from /proc/1/mountinfo (the host's view even when
/// we run in a private mount namespace), falling back to /proc/self/mountinfo under hidepid.
/// </summary>
public sealed partial class FilesystemCollector : ICollector
{
    private static readonly string[] LabelNames = ["device", "fstype", "mountpoint"];

    private readonly ProcFile _file = new();
    private readonly NameCache _names = new();
    private readonly IStatfs _statfs;
    private readonly string _rootMountinfo;
    private readonly string _selfMountinfo;
    private readonly Dictionary<string, bool> _mountPointExcluded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _fsTypeExcluded = new(StringComparer.Ordinal);
    private readonly HashSet<(string Device, string FsType, string MountPoint)> _seen = [];
    private byte[] _unescaped = new byte[256];

    /// <summary>
    /// statfs answers live on the machine, and from the recording in a fixture tree that has one (.statfs.tsv); a
    /// root without a recording is taken for the host's root file system mounted elsewhere and statted live under it.
    /// </summary>
    public FilesystemCollector(CollectorContext context)
        : this(context, context.Root.IsLive || !File.Exists(RecordedStatfs.PathUnder(context.Root))
            ? new LiveStatfs(LiveStatfs.DefaultTimeout, context.Time, context.Root)
            : new RecordedStatfs(context.Root))
    {
    }

    public FilesystemCollector(CollectorContext context, IStatfs statfs)
    {
        _statfs = statfs;
        _rootMountinfo = context.Root.Proc("1/mountinfo");
        _selfMountinfo = context.Root.Proc("self/mountinfo");
    }

    public string Name => "filesystem";

    public void Update(MetricSink sink)
    {
        if (!_file.TryRead(_rootMountinfo, out var content) && !_file.TryRead(_selfMountinfo, out content))
        {
            throw new NoDataException($"neither {_rootMountinfo} nor {_selfMountinfo} is readable");
        }

        var size = sink.Family("node_filesystem_size_bytes", "Filesystem size in bytes.", MetricType.Gauge, LabelNames);
        var free = sink.Family("node_filesystem_free_bytes", "Filesystem free space in bytes.", MetricType.Gauge, LabelNames);
        var avail = sink.Family("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", MetricType.Gauge, LabelNames);
        var files = sink.Family("node_filesystem_files", "Filesystem total file nodes.", MetricType.Gauge, LabelNames);
        var filesFree = sink.Family("node_filesystem_files_free", "Filesystem total free file nodes.", MetricType.Gauge, LabelNames);
        var readOnly = sink.Family("node_filesystem_readonly", "Filesystem read-only status.", MetricType.Gauge, LabelNames);
        var deviceError = sink.Family("node_filesystem_device_error", "Whether an error occurred while getting statistics for the given device.", MetricType.Gauge, LabelNames);

        _seen.Clear();
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            if (!TryParseMount(line, out var mountPointAt, out var fsTypeAt, out var deviceAt, out var isReadOnly))
            {
                continue;
            }

            var device = _names.Get(line[deviceAt]);
            var fsType = _names.Get(line[fsTypeAt]);
            var mountPoint = _names.Get(Unescape(line[mountPointAt]));
            if (IsExcluded(mountPoint, fsType) || !_seen.Add((device, fsType, mountPoint)))
            {
                continue;
            }

            var stat = _statfs.Stat(mountPoint);
            if (stat.Status != StatfsStatus.Ok)
            {
                // node_exporter 1.5 reports only device_error for a mount it could not stat (or that is stuck).
                deviceError.Add(1, device, fsType, mountPoint);
                continue;
            }

            double blockSize = stat.BlockSize;
            size.Add(stat.Blocks * blockSize, device, fsType, mountPoint);
            free.Add(stat.BlocksFree * blockSize, device, fsType, mountPoint);
            avail.Add(stat.BlocksAvailable * blockSize, device, fsType, mountPoint);
            files.Add(stat.Files, device, fsType, mountPoint);
            filesFree.Add(stat.FilesFree, device, fsType, mountPoint);
            readOnly.Add(isReadOnly ? 1 : 0, device, fsType, mountPoint);
            deviceError.Add(0, device, fsType, mountPoint);
        }
    }

    // node_exporter's defaults for --collector.filesystem.mount-points-exclude and fs-types-exclude (identical in
    // v1.5.0 and at HEAD a7dcc3a).
    [GeneratedRegex("^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultMountPointsExcluded();

    [GeneratedRegex("^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$", RegexOptions.CultureInvariant)]
    private static partial Regex DefaultFsTypesExcluded();

    private bool IsExcluded(string mountPoint, string fsType)
    {
        if (!_mountPointExcluded.TryGetValue(mountPoint, out var byMountPoint))
        {
            byMountPoint = DefaultMountPointsExcluded().IsMatch(mountPoint);
            _mountPointExcluded[mountPoint] = byMountPoint;
        }

        if (!_fsTypeExcluded.TryGetValue(fsType, out var byFsType))
        {
            byFsType = DefaultFsTypesExcluded().IsMatch(fsType);
            _fsTypeExcluded[fsType] = byFsType;
        }

        return byMountPoint || byFsType;
    }

    /// <summary>
    /// One mountinfo line: <c>id parent major:minor root mountpoint options [optional...] - fstype source superoptions</c>
    /// (proc(5)). Read-only when either the mount or the superblock says "ro", which is what /proc/mounts (read by
    /// node_exporter 1.5) shows.
    /// </summary>
    private static bool TryParseMount(ReadOnlySpan<byte> line, out Range mountPoint, out Range fsType, out Range device, out bool readOnly)
    {
        mountPoint = fsType = device = default;
        readOnly = false;
        var rest = line;
        for (var i = 0; i < 4; i++)
        {
            if (!Span.NextField(ref rest, out _))
            {
                return false;
            }
        }

        if (!Span.NextField(ref rest, out var mountPointField))
        {
            return false;
        }

        mountPoint = Locate(line, rest, mountPointField.Length);
        if (!Span.NextField(ref rest, out var options))
        {
            return false;
        }

        while (true)
        {
            if (!Span.NextField(ref rest, out var field))
            {
                return false;
            }

            if (field is [(byte)'-'])
            {
                break;
            }
        }

        if (!Span.NextField(ref rest, out var fsTypeField))
        {
            return false;
        }

        fsType = Locate(line, rest, fsTypeField.Length);
        if (!Span.NextField(ref rest, out var deviceField))
        {
            return false;
        }

        device = Locate(line, rest, deviceField.Length);
        Span.NextField(ref rest, out var superOptions);
        readOnly = HasOption(options, "ro"u8) || HasOption(superOptions, "ro"u8);
        return true;
    }

    /// <summary>Where the field of <paramref name="length"/> bytes that ends where <paramref name="rest"/> begins sits in <paramref name="line"/>.</summary>
    private static Range Locate(ReadOnlySpan<byte> line, ReadOnlySpan<byte> rest, int length)
    {
        var end = line.Length - rest.Length;
        return new Range(end - length, end);
    }

    private static bool HasOption(ReadOnlySpan<byte> options, ReadOnlySpan<byte> wanted)
    {
        foreach (var range in options.Split((byte)','))
        {
            if (options[range].SequenceEqual(wanted))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Undoes the kernel's octal escaping of mount points (\040 space, \011 tab, \012 newline, \134 backslash).</summary>
    private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IndexOf((byte)'\\') < 0)
        {
            return escaped;
        }

        if (_unescaped.Length < escaped.Length)
        {
            _unescaped = new byte[escaped.Length * 2];
        }

        var n = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\' && i + 3 < escaped.Length && IsOctal(escaped[i + 1]) && IsOctal(escaped[i + 2]) && IsOctal(escaped[i + 3]))
            {
                _unescaped[n++] = (byte)(((escaped[i + 1] - '0') << 6) | ((escaped[i + 2] - '0') << 3) | (escaped[i + 3] - '0'));
                i += 3;
            }
            else
            {
                _unescaped[n++] = escaped[i];
            }
        }

        return _unescaped.AsSpan(0, n);
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
