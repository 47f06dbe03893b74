using System.Runtime.InteropServices;
using Opsmon.Collectors.Parsing;

namespace Opsmon.Collectors.Linux;

/// <summary>How a statfs call on one mount point ended.</summary>
public enum StatfsStatus
{
    Ok,
    Error,

    /// <summary>The call did not answer within the mount timeout (a hung NFS/CIFS server) and is still outstanding.</summary>
    Stuck,
}

/// <summary>What statfs(2) reported for one mount point; sizes are in blocks of <see cref="BlockSize"/> bytes.</summary>
public readonly record struct StatfsResult(
    StatfsStatus Status, ulong BlockSize, ulong Blocks, ulong BlocksFree, ulong BlocksAvailable, ulong Files, ulong FilesFree)
{
    public static StatfsResult Failed { get; } = new(StatfsStatus.Error, 0, 0, 0, 0, 0, 0);

    public static StatfsResult Stuck { get; } = new(StatfsStatus.Stuck, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// statfs is a syscall, not a file, so it is the filesystem collector's one seam besides <see cref="FsRoot"/>:
/// the live machine answers through <see cref="LiveStatfs"/>, a recorded fixture through <see cref="RecordedStatfs"/>.
/// </summary>
public interface IStatfs
{
    /// <summary>Statistics for the file system mounted at <paramref name="mountPoint"/> (an absolute path on the machine).</summary>
    StatfsResult Stat(string mountPoint);
}

/// <summary>
/// statfs(2) on the live machine. A call that hangs (an unreachable network file system) must not hang the
/// scrape: it is waited for at most the mount timeout, then the mount counts as stuck and is not asked again
/// until that call returns, as node_exporter's --collector.filesystem.mount-timeout does.
/// </summary>
public sealed class LiveStatfs : IStatfs
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly Func<string, StatfsResult> _syscall;
    private readonly FsRoot? _root;
    private readonly Dictionary<string, Task<StatfsResult>> _outstanding = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// <paramref name="root"/>, when given and not "/", is where the host's root file system is mounted (a container
    /// started with -v /:/host), so mount point /data is statted at /host/data, like node_exporter's --path.rootfs.
    /// </summary>
    public LiveStatfs(TimeSpan timeout, TimeProvider time, FsRoot? root = null)
        : this(timeout, time, StatfsNative.Stat)
    {
        _root = root;
    }

    /// <summary>For tests: <paramref name="syscall"/> stands in for statfs(2).</summary>
    internal LiveStatfs(TimeSpan timeout, TimeProvider time, Func<string, StatfsResult> syscall)
    {
        _timeout = timeout;
        _time = time;
        _syscall = syscall;
    }

    /// <summary>node_exporter's default --collector.filesystem.mount-timeout.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(5);

    public StatfsResult Stat(string mountPoint)
    {
        lock (_gate)
        {
            if (_outstanding.TryGetValue(mountPoint, out var outstanding))
            {
                if (!outstanding.IsCompleted)
                {
                    return StatfsResult.Stuck;
                }

                // Recovered: its late answer is stale, so ask again below.
                _outstanding.Remove(mountPoint);
            }
        }

        var path = _root is null || _root.IsLive ? mountPoint : _root.Rooted(mountPoint);
        var call = Task.Run(() => _syscall(path));
        using var cancel = new CancellationTokenSource();
        var deadline = Task.Delay(_timeout, _time, cancel.Token);
        Task.WaitAny(call, deadline);
        cancel.Cancel();
        if (call.IsCompletedSuccessfully)
        {
            return call.GetAwaiter().GetResult();
        }

        if (call.IsCompleted)
        {
            return StatfsResult.Failed;
        }

        lock (_gate)
        {
            _outstanding[mountPoint] = call;
        }

        return StatfsResult.Stuck;
    }

    /// <summary>Whether a timed-out call on <paramref name="mountPoint"/> is still outstanding.</summary>
    internal bool IsStuck(string mountPoint)
    {
        lock (_gate)
        {
            return _outstanding.TryGetValue(mountPoint, out var call) && !call.IsCompleted;
        }
    }
}

/// <summary>
/// statfs results recorded by scripts/record-fixture.sh into <c>.statfs.tsv</c> at a fixture root, one line per
/// mount: <c>mountpoint TAB fstype TAB "bsize blocks bfree bavail files ffree"</c>. A mount point missing from the
/// file answers as an error (the recorder leaves out mounts whose statfs failed or timed out).
/// </summary>
public sealed class RecordedStatfs : IStatfs
{
    private readonly Dictionary<string, StatfsResult> _byMountPoint = new(StringComparer.Ordinal);

    public RecordedStatfs(FsRoot root)
    {
        var file = new ProcFile();
        if (!file.TryRead(PathUnder(root), out var content))
        {
            return;
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            // Split from the right: the recorder writes unescaped mount points, which may hold a tab.
            var lastTab = line.LastIndexOf((byte)'\t');
            if (lastTab < 0)
            {
                continue;
            }

            var numbers = line[(lastTab + 1)..];
            var fsTypeTab = line[..lastTab].LastIndexOf((byte)'\t');
            if (fsTypeTab < 0)
            {
                continue;
            }

            var values = new ulong[6];
            var ok = true;
            for (var i = 0; i < values.Length && ok; i++)
            {
                ok = Span.NextField(ref numbers, out var field) && Span.TryParseUInt64(field, out values[i]);
            }

            if (ok)
            {
                _byMountPoint.TryAdd(
                    Span.ToText(line[..fsTypeTab]),
                    new StatfsResult(StatfsStatus.Ok, values[0], values[1], values[2], values[3], values[4], values[5]));
            }
        }
    }

    /// <summary>Where the recording lives in a fixture tree.</summary>
    public static string PathUnder(FsRoot root) => System.IO.Path.Join(root.Path, ".statfs.tsv");

    public StatfsResult Stat(string mountPoint) =>
        _byMountPoint.TryGetValue(mountPoint, out var result) ? result : StatfsResult.Failed;
}

/// <summary>statfs(2) from libc. The struct layout is the 64-bit Linux one (x86_64 and arm64 share it).</summary>
internal static partial class StatfsNative
{
    /// <summary>f_type of procfs (linux/magic.h).</summary>
    public const long ProcSuperMagic = 0x9fa0;

    /// <summary>The f_type of the file system holding <paramref name="path"/>; null when it cannot be statted or libc cannot be called.</summary>
    public static long? FileSystemType(string path)
    {
        try
        {
            return StatfsCall(path, out var buffer) == 0 ? buffer.Type : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    public static StatfsResult Stat(string path)
    {
        if (StatfsCall(path, out var buffer) != 0)
        {
            return StatfsResult.Failed;
        }

        return new StatfsResult(
            StatfsStatus.Ok,
            (ulong)buffer.BlockSize,
            buffer.Blocks,
            buffer.BlocksFree,
            buffer.BlocksAvailable,
            buffer.Files,
            buffer.FilesFree);
    }

    [LibraryImport("libc", EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatfsCall(string path, out StatfsBuffer buffer);

    // struct statfs on LP64 Linux: every field is 8 bytes except f_fsid (two ints), 120 bytes in all.
    [StructLayout(LayoutKind.Sequential)]
    private struct StatfsBuffer
    {
        public long Type;
        public long BlockSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FsId;
        public long NameLength;
        public long FragmentSize;
        public long Flags;
        public long Spare0;
        public long Spare1;
        public long Spare2;
        public long Spare3;
    }
}
