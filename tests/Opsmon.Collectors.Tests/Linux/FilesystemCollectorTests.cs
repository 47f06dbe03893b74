using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class FilesystemCollectorTests
{
    private static readonly StatfsResult Small = new(StatfsStatus.Ok, 1024, 10, 6, 5, 100, 90);

    // debian12-vm/proc/1/mountinfo: "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,..." and
    // .statfs.tsv: "/	ext4	4096 66053021 62756625 20898097 16777216 16364114"
    [Theory]
    [InlineData("node_filesystem_size_bytes", 66053021.0 * 4096)]
    [InlineData("node_filesystem_free_bytes", 62756625.0 * 4096)]
    [InlineData("node_filesystem_avail_bytes", 20898097.0 * 4096)]
    [InlineData("node_filesystem_files", 16777216.0)]
    [InlineData("node_filesystem_files_free", 16364114.0)]
    [InlineData("node_filesystem_readonly", 0.0)]
    [InlineData("node_filesystem_device_error", 0.0)]
    public void Root_file_system_is_reported_from_the_recorded_statfs(string family, double expected)
    {
        var sink = FixtureRoots.Collect(new FilesystemCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(family).Value("/dev/vda", "ext4", "/"));
    }

    [Fact]
    public void Read_only_mount_reports_readonly_one()
    {
        var sink = FixtureRoots.Collect(new FilesystemCollector(FixtureRoots.Context("debian12-vm")));

        // "27 26 0:24 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,..."
        Assert.Equal(1, sink.Family("node_filesystem_readonly").Value("model_tools_unavailable", "tmpfs", "/mnt/sandboxing/model_tools_env/v1/python"));
    }

    [Fact]
    public void Default_exclusions_leave_only_real_mounts_of_the_recorded_machine()
    {
        var sink = FixtureRoots.Collect(new FilesystemCollector(FixtureRoots.Context("debian12-vm")));

        // /proc, /sys, /dev/* and the cgroup mounts under /sys are excluded by mount point or type.
        var mountPoints = sink.Family("node_filesystem_device_error").Samples.Select(s => s.LabelValues[2]).Order(StringComparer.Ordinal);
        Assert.Equal(["/", "/mnt/sandboxing/model_tools_env/v1/python"], mountPoints);
    }

    [Fact]
    public void Families_are_gauges_labelled_device_fstype_mountpoint()
    {
        var sink = FixtureRoots.Collect(new FilesystemCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(7, sink.Families.Count);
        Assert.All(sink.Families, f =>
        {
            Assert.Equal(MetricType.Gauge, f.Type);
            Assert.Equal(["device", "fstype", "mountpoint"], f.LabelNames);
        });
    }

    [Fact]
    public void Escaped_characters_in_mount_points_are_unescaped()
    {
        using var tree = Mounts(
            @"30 1 8:1 / /mnt/my\040disk rw - ext4 /dev/sda1 rw",
            @"31 1 8:2 / /mnt/tab\011and\134slash rw - ext4 /dev/sda2 rw");
        var statfs = new FakeStatfs();

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), statfs));

        Assert.Equal(["/mnt/my disk", "/mnt/tab\tand\\slash"], statfs.Asked);
        Assert.Equal(10240, sink.Family("node_filesystem_size_bytes").Value("/dev/sda1", "ext4", "/mnt/my disk"));
    }

    [Theory]
    [InlineData("overlay", "/var/lib/app")]
    [InlineData("squashfs", "/snap/core/1")]
    [InlineData("nsfs", "/mnt/ns")]
    [InlineData("cgroup2", "/mnt/cgroup")]
    [InlineData("tmpfs", "/run/credentials/getty.service")]
    [InlineData("ext4", "/var/lib/docker/overlay2/abc")]
    [InlineData("xfs", "/var/lib/containers/storage/overlay")]
    [InlineData("tmpfs", "/dev/shm")]
    public void Excluded_types_and_mount_points_are_not_reported(string fsType, string mountPoint)
    {
        using var tree = Mounts(
            $"30 1 0:40 / {mountPoint} rw - {fsType} none rw",
            "31 1 8:1 / /data rw - ext4 /dev/sda1 rw");
        var statfs = new FakeStatfs();

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), statfs));

        Assert.Equal(["/data"], statfs.Asked);
        Assert.Single(sink.Family("node_filesystem_device_error").Samples);
    }

    [Fact]
    public void Docker_data_directory_itself_is_reported()
    {
        using var tree = Mounts("30 1 8:3 / /var/lib/docker rw - ext4 /dev/sdb rw");
        var statfs = new FakeStatfs();

        FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), statfs));

        Assert.Equal(["/var/lib/docker"], statfs.Asked);
    }

    [Fact]
    public void Stuck_mount_reports_only_device_error()
    {
        using var tree = Mounts(
            "30 1 0:50 / /mnt/nfs rw - nfs4 server:/export rw",
            "31 1 8:1 / /data rw - ext4 /dev/sda1 rw");
        var statfs = new FakeStatfs { ["/mnt/nfs"] = StatfsResult.Stuck };

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), statfs));

        Assert.Equal(1, sink.Family("node_filesystem_device_error").Value("server:/export", "nfs4", "/mnt/nfs"));
        Assert.DoesNotContain(sink.Family("node_filesystem_size_bytes").Samples, s => s.LabelValues[2] == "/mnt/nfs");
        Assert.Equal(10240, sink.Family("node_filesystem_size_bytes").Value("/dev/sda1", "ext4", "/data"));
    }

    [Fact]
    public void Failing_statfs_sets_device_error()
    {
        using var tree = Mounts("30 1 0:51 / /mnt/gone rw - cifs //host/share rw");
        var statfs = new FakeStatfs { ["/mnt/gone"] = StatfsResult.Failed };

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), statfs));

        Assert.Equal(1, sink.Family("node_filesystem_device_error").Value("//host/share", "cifs", "/mnt/gone"));
        Assert.Empty(sink.Family("node_filesystem_files").Samples);
    }

    [Fact]
    public void Read_only_superblock_makes_the_mount_read_only()
    {
        using var tree = Mounts("30 1 8:1 / /media/cd rw,relatime shared:5 - ext4 /dev/sr0 ro,errors=remount-ro");

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), new FakeStatfs()));

        Assert.Equal(1, sink.Family("node_filesystem_readonly").Value("/dev/sr0", "ext4", "/media/cd"));
    }

    [Fact]
    public void Option_merely_containing_ro_does_not_make_the_mount_read_only()
    {
        using var tree = Mounts("30 1 8:1 / /data rw,errors=remount-ro - ext4 /dev/sda1 rw,errors=remount-ro");

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), new FakeStatfs()));

        Assert.Equal(0, sink.Family("node_filesystem_readonly").Value("/dev/sda1", "ext4", "/data"));
    }

    [Fact]
    public void Same_mount_listed_twice_is_reported_once()
    {
        using var tree = Mounts(
            "30 1 8:1 / /data rw - ext4 /dev/sda1 rw",
            "31 1 8:1 / /data rw - ext4 /dev/sda1 rw");

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), new FakeStatfs()));

        Assert.Single(sink.Family("node_filesystem_size_bytes").Samples);
    }

    [Fact]
    public void Own_mountinfo_is_read_when_pid_1_is_hidden()
    {
        using var tree = FixtureRoots.Temp().Write("proc/self/mountinfo", "30 1 8:1 / /data rw - ext4 /dev/sda1 rw\n");

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), new FakeStatfs()));

        Assert.Equal(10240, sink.Family("node_filesystem_size_bytes").Value("/dev/sda1", "ext4", "/data"));
    }

    [Fact]
    public void Malformed_lines_are_skipped()
    {
        using var tree = Mounts("garbage", "30 1 8:1 / /nodash rw ext4 /dev/sda1 rw", "31 1 8:1 / /data rw - ext4 /dev/sda1 rw");
        var statfs = new FakeStatfs();

        FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), statfs));

        Assert.Equal(["/data"], statfs.Asked);
    }

    [Fact]
    public void Root_without_a_statfs_recording_is_statted_live_under_the_root()
    {
        // Like a container with the host's / mounted at the root: "/" means the root directory itself.
        using var tree = Mounts(
            "30 1 8:1 / / rw - ext4 /dev/sda1 rw",
            "31 1 8:2 / /not/there rw - ext4 /dev/sda2 rw");

        var sink = FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(0, sink.Family("node_filesystem_device_error").Value("/dev/sda1", "ext4", "/"));
        Assert.True(sink.Family("node_filesystem_size_bytes").Value("/dev/sda1", "ext4", "/") > 0);
        Assert.Equal(1, sink.Family("node_filesystem_device_error").Value("/dev/sda2", "ext4", "/not/there"));
    }

    [Fact]
    public void Missing_mount_table_is_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new FilesystemCollector(CollectorContext.For(tree.Root), new FakeStatfs())));
    }

    private static TempTree Mounts(params string[] lines) =>
        FixtureRoots.Temp().Write("proc/1/mountinfo", string.Join('\n', lines) + "\n");

    /// <summary>Answers <see cref="Small"/> unless told otherwise, and remembers what it was asked.</summary>
    private sealed class FakeStatfs : IStatfs
    {
        private readonly Dictionary<string, StatfsResult> _answers = new(StringComparer.Ordinal);

        public List<string> Asked { get; } = [];

        public StatfsResult this[string mountPoint]
        {
            set => _answers[mountPoint] = value;
        }

        public StatfsResult Stat(string mountPoint)
        {
            Asked.Add(mountPoint);
            return _answers.GetValueOrDefault(mountPoint, Small);
        }
    }
}
