using System.Text;

namespace Opsmon.Rules.Actions;

public enum CgroupVersion
{
    V1 = 1,
    V2 = 2,
}

/// <summary>One write of a limit: the controller it belongs to (cgroup v2's name: memory, cpu, io), the file and the value.</summary>
public sealed record CgroupWrite(string Controller, string File, string Value);

/// <summary>
/// Where one controller's files are: the unified (v2) hierarchy, or the v1 hierarchy mounted for that controller.
/// <see cref="MountRoot"/> is the cgroup the mount shows as its top (field 4 of mountinfo, "/" unless a container
/// mounted a sub-tree).
/// </summary>
public sealed record CgroupHierarchy(CgroupVersion Version, string Controller, string MountPoint, string MountRoot)
{
    /// <summary>The controller's name in /proc/PID/cgroup and in the mount options: v1 calls io "blkio".</summary>
    public string V1Name => Controller == "io" ? "blkio" : Controller;

    /// <summary>The directory of a cgroup path (as /proc/PID/cgroup or the configuration names it), squashed to its full form.</summary>
    public string Directory(string cgroup)
    {
        var path = cgroup;
        var root = MountRoot.TrimEnd('/');
        if (root.Length > 0 && (path == root || path.StartsWith(root + "/", StringComparison.Ordinal)))
        {
            path = path[root.Length..];
        }

        return Path.GetFullPath(Path.Combine(MountPoint, path.TrimStart('/'))).TrimEnd('/');
    }

    /// <summary>
    /// The process's cgroup in this hierarchy from /proc/PID/cgroup: "0::/path" on v2, "N:memory:/path" (the
    /// controller among the comma-separated list) on v1; null if there is none.
    /// </summary>
    public string? PathOf(string procRoot, int pid)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cgroup")))
            {
                var parts = line.Split(':', 3);
                if (parts.Length != 3)
                {
                    continue;
                }

                var matches = Version == CgroupVersion.V2
                    ? parts[0] == "0" && parts[1].Length == 0
                    : parts[1].Split(',').Contains(V1Name);
                if (matches)
                {
                    return parts[2];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}

/// <summary>
/// Which hierarchy holds each controller on this host, from the cgroup mounts at or below the cgroup root in
/// PROC/self/mountinfo: the unified (v2) hierarchy when its cgroup.controllers offers the controller, else a v1
/// hierarchy whose mount options name it (a cgroup v1 or hybrid host). Where mountinfo cannot be read or shows no
/// cgroup mount below the root, the root itself is taken as a cgroup v2 hierarchy.
/// </summary>
public sealed class CgroupLayout
{
    private readonly List<Mount> _mounts;
    private readonly string _cgroupRoot;

    private CgroupLayout(List<Mount> mounts, string cgroupRoot)
    {
        _mounts = mounts;
        _cgroupRoot = cgroupRoot;
    }

    public static CgroupLayout Detect(string procRoot, string cgroupRoot)
    {
        var root = cgroupRoot.Length > 1 ? cgroupRoot.TrimEnd('/') : cgroupRoot;
        var mounts = new List<Mount>();
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, "self", "mountinfo")))
            {
                // proc(5): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS"
                var parts = line.Split(' ');
                var dash = Array.IndexOf(parts, "-");
                if (dash < 5 || dash + 3 >= parts.Length || parts[dash + 1] is not ("cgroup" or "cgroup2"))
                {
                    continue;
                }

                var mountPoint = Unescape(parts[4]);
                if (mountPoint == root || mountPoint.StartsWith(root + "/", StringComparison.Ordinal))
                {
                    var version = parts[dash + 1] == "cgroup2" ? CgroupVersion.V2 : CgroupVersion.V1;
                    mounts.Add(new Mount(version, mountPoint, Unescape(parts[3]), parts[dash + 3].Split(',')));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return new CgroupLayout(mounts, root);
    }

    /// <summary>The hierarchy for a controller (memory, cpu or io), null when no mount below the root has it.</summary>
    public CgroupHierarchy? For(string controller)
    {
        if (_mounts.Count == 0)
        {
            return new CgroupHierarchy(CgroupVersion.V2, controller, _cgroupRoot, "/");
        }

        foreach (var mount in _mounts.Where(m => m.Version == CgroupVersion.V2))
        {
            if (Controllers(mount.MountPoint).Contains(controller))
            {
                return new CgroupHierarchy(CgroupVersion.V2, controller, mount.MountPoint, mount.Root);
            }
        }

        var v1Name = controller == "io" ? "blkio" : controller;
        return _mounts.FirstOrDefault(m => m.Version == CgroupVersion.V1 && m.Options.Contains(v1Name)) is { } v1
            ? new CgroupHierarchy(CgroupVersion.V1, controller, v1.MountPoint, v1.Root)
            : null;
    }

    private static string[] Controllers(string mountPoint)
    {
        try
        {
            return File.ReadAllText(Path.Combine(mountPoint, "cgroup.controllers")).Split(' ', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    // mountinfo writes space, tab, newline and backslash in paths as \ooo octal escapes.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && !field.AsSpan(i + 1, 3).ContainsAnyExceptInRange('0', '7'))
            {
                text.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private sealed record Mount(CgroupVersion Version, string MountPoint, string Root, string[] Options);
}
