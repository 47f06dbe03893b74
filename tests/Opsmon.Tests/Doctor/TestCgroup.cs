using System.Diagnostics;
using System.Globalization;

namespace Opsmon.Tests.Doctor;

/// <summary>
/// A cgroup the stress tests put stress-ng in, with a small memory or write-bandwidth limit so that it stalls
/// (PSI) while the rest of the machine does not. On a pure cgroup v2 host the limit is the group's own
/// memory.high or io.max; on a hybrid host (v1 memory and blkio controllers, v2 mounted at /sys/fs/cgroup/unified
/// for PSI only) a v1 group beside it carries the limit, memory.limit_in_bytes or blkio.throttle.write_bps_device.
/// Either way opsmon's cgroup collector sees the v2 group's pressure. Needs root; removed on dispose.
/// </summary>
public sealed class TestCgroup : IAsyncDisposable
{
    private readonly List<string> _directories;

    private TestCgroup(string name, string unified, List<string> directories)
    {
        Name = name;
        UnifiedPath = unified;
        _directories = directories;
    }

    /// <summary>The cgroup's path as opsmon labels it, e.g. <c>/opsmon-test-1234</c>.</summary>
    public string Label => "/" + Name;

    public string Name { get; }

    public string UnifiedPath { get; }

    /// <summary>A group whose memory is held to <paramref name="bytes"/>: memory.high on v2, memory.limit_in_bytes on v1.</summary>
    public static TestCgroup WithMemoryLimit(long bytes) => Create("memory", bytes, (v2, v1) =>
    {
        if (v1 is null)
        {
            File.WriteAllText(Path.Combine(v2, "memory.high"), bytes.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            File.WriteAllText(Path.Combine(v1, "memory.limit_in_bytes"), bytes.ToString(CultureInfo.InvariantCulture));
        }
    });

    /// <summary>A group whose writes to the device holding <paramref name="path"/> are throttled to <paramref name="bytesPerSecond"/>.</summary>
    public static TestCgroup WithWriteLimit(string path, long bytesPerSecond)
    {
        var device = DeviceOf(path);
        return Create("blkio", bytesPerSecond, (v2, v1) =>
        {
            if (v1 is null)
            {
                File.WriteAllText(Path.Combine(v2, "io.max"), $"{device} wbps={bytesPerSecond.ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                File.WriteAllText(Path.Combine(v1, "blkio.throttle.write_bps_device"), $"{device} {bytesPerSecond.ToString(CultureInfo.InvariantCulture)}");
            }
        });
    }

    /// <summary>Starts <paramref name="program"/> inside the group (every hierarchy) through a shell that moves itself there first.</summary>
    public Support.RunningProcess Start(string program, IEnumerable<string> args)
    {
        var moves = string.Join("; ", _directories.Select(d => $"echo $$ > '{d}/cgroup.procs'"));
        return Support.RunningProcess.Start("/bin/sh", ["-c", moves + "; exec \"$0\" \"$@\"", program, .. args]);
    }

    /// <summary>The pids in the v2 group now.</summary>
    public IReadOnlyList<int> Pids() =>
        [.. File.ReadAllLines(Path.Combine(UnifiedPath, "cgroup.procs")).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture))];

    public async ValueTask DisposeAsync()
    {
        // The processes were killed by their own dispose; a group can only be removed once it is empty.
        var clock = Stopwatch.StartNew();
        foreach (var dir in _directories)
        {
            while (true)
            {
                try
                {
                    Directory.Delete(dir);
                    break;
                }
                catch (IOException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    private static TestCgroup Create(string v1Controller, long limit, Action<string, string?> configure)
    {
        var unified = CgroupV2Mount()
            ?? throw new InvalidOperationException("no cgroup2 hierarchy in /proc/self/mountinfo: the cgroup stress tests need one.");
        var name = "opsmon-test-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var v2 = Path.Combine(unified, name);
        var directories = new List<string>();
        try
        {
            Directory.CreateDirectory(v2);
            directories.Add(v2);
            var controllers = File.ReadAllText(Path.Combine(unified, "cgroup.subtree_control"));
            var v2Controller = v1Controller == "blkio" ? "io" : v1Controller;
            string? v1 = null;
            if (!controllers.Split(' ', StringSplitOptions.TrimEntries).Contains(v2Controller))
            {
                // Hybrid host: the controller lives in its v1 hierarchy.
                var v1Root = Path.Combine("/sys/fs/cgroup", v1Controller);
                if (!Directory.Exists(v1Root))
                {
                    throw new InvalidOperationException($"neither cgroup v2 '{v2Controller}' (cgroup.subtree_control of {unified}: '{controllers.Trim()}') nor a v1 {v1Controller} hierarchy is available.");
                }

                v1 = Path.Combine(v1Root, name);
                Directory.CreateDirectory(v1);
                directories.Insert(0, v1);
            }

            configure(v2, v1);
            return new TestCgroup(name, v2, directories);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (var dir in directories)
            {
                Directory.Delete(dir);
            }

            throw new InvalidOperationException($"cannot create a cgroup with a {v1Controller} limit of {limit} under {unified} (the stress tests run as root): {e.Message}", e);
        }
    }

    private static string? CgroupV2Mount()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash > 0 && line[(dash + 3)..].StartsWith("cgroup2 ", StringComparison.Ordinal))
            {
                return line.Split(' ')[4];
            }
        }

        return null;
    }

    /// <summary>"MAJOR:MINOR" of the whole disk under <paramref name="path"/> (throttling applies to whole disks).</summary>
    private static string DeviceOf(string path)
    {
        var mount = File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .Where(f => Path.GetFullPath(path).StartsWith(f[4], StringComparison.Ordinal))
            .MaxBy(f => f[4].Length) ?? throw new InvalidOperationException($"no mount holds {path}");
        var device = mount[2];
        var sys = new DirectoryInfo($"/sys/dev/block/{device}");
        var real = sys.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? sys.FullName;

        // A partition's parent directory in sysfs is its disk, whose "dev" file names it.
        if (File.Exists(Path.Combine(real, "partition")))
        {
            device = File.ReadAllText(Path.Combine(Path.GetDirectoryName(real)!, "dev")).Trim();
        }

        return device;
    }
}
