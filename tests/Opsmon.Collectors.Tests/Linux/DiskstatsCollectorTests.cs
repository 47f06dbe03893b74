using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class DiskstatsCollectorTests
{
    // debian12-vm/proc/diskstats: " 254       0 vda 7297 3948 1102250 5609 1688 4857 638536 2765 0 2928 8984 3573 12 82504 578 4 31"
    [Theory]
    [InlineData("node_disk_reads_completed_total", 7297.0)]
    [InlineData("node_disk_reads_merged_total", 3948.0)]
    [InlineData("node_disk_read_bytes_total", 1102250.0 * 512)]
    [InlineData("node_disk_read_time_seconds_total", 5.609)]
    [InlineData("node_disk_writes_completed_total", 1688.0)]
    [InlineData("node_disk_writes_merged_total", 4857.0)]
    [InlineData("node_disk_written_bytes_total", 638536.0 * 512)]
    [InlineData("node_disk_write_time_seconds_total", 2.765)]
    [InlineData("node_disk_io_now", 0.0)]
    [InlineData("node_disk_io_time_seconds_total", 2.928)]
    [InlineData("node_disk_io_time_weighted_seconds_total", 8.984)]
    [InlineData("node_disk_discards_completed_total", 3573.0)]
    [InlineData("node_disk_discards_merged_total", 12.0)]
    [InlineData("node_disk_discarded_sectors_total", 82504.0)]
    [InlineData("node_disk_discard_time_seconds_total", 0.578)]
    [InlineData("node_disk_flush_requests_total", 4.0)]
    [InlineData("node_disk_flush_requests_time_seconds_total", 0.031)]
    public void Recorded_disk_fields_are_converted_like_node_exporter(string family, double expected)
    {
        var sink = FixtureRoots.Collect(new DiskstatsCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(family).Value("vda"), 9);
    }

    [Fact]
    public void Loop_and_zram_devices_are_excluded()
    {
        var sink = FixtureRoots.Collect(new DiskstatsCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(["vda"], sink.Family("node_disk_reads_completed_total").Samples.Select(s => s.LabelValues[0]));
    }

    [Fact]
    public void Disk_info_labels_are_empty_without_udev_data()
    {
        var sink = FixtureRoots.Collect(new DiskstatsCollector(FixtureRoots.Context("debian12-vm")));

        var info = sink.Family("node_disk_info");
        Assert.Equal(["device", "major", "minor", "path", "wwn", "model", "serial", "revision"], info.LabelNames);
        Assert.Equal(1, info.Value("vda", "254", "0", "", "", "", "", ""));
    }

    [Fact]
    public void Io_now_is_a_gauge_and_the_rest_are_counters()
    {
        var sink = FixtureRoots.Collect(new DiskstatsCollector(FixtureRoots.Context("debian12-vm")));

        Assert.All(sink.Families.Where(f => f.Name is not ("node_disk_io_now" or "node_disk_info")), f => Assert.Equal(MetricType.Counter, f.Type));
        Assert.Equal(MetricType.Gauge, sink.Family("node_disk_io_now").Type);
        Assert.Equal(MetricType.Gauge, sink.Family("node_disk_info").Type);
    }

    [Fact]
    public void Disk_info_takes_path_wwn_model_serial_and_revision_from_udev()
    {
        using var tree = FixtureRoots.Temp()
            .Write("proc/diskstats", "   8       0 sda 1 0 8 1 0 0 0 0 0 1 1 0 0 0 0 0 0\n")
            .Write("run/udev/data/b8:0", string.Join('\n',
                "S:disk/by-id/ata-Samsung_SSD_860_S3Z9NB0K123456",
                "E:ID_PATH=pci-0000:00:17.0-ata-1",
                "E:ID_WWN=0x5002538e40a1b2c3",
                "E:ID_MODEL=Samsung_SSD_860_EVO_500GB",
                "E:ID_SERIAL=Samsung_SSD_860_EVO_500GB_S3Z9NB0K123456",
                "E:ID_SERIAL_SHORT=S3Z9NB0K123456",
                "E:SCSI_IDENT_SERIAL=OTHER",
                "E:ID_REVISION=RVT02B6Q",
                ""));

        var sink = FixtureRoots.Collect(new DiskstatsCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(1, sink.Family("node_disk_info").Value(
            "sda", "8", "0", "pci-0000:00:17.0-ata-1", "0x5002538e40a1b2c3", "Samsung_SSD_860_EVO_500GB", "S3Z9NB0K123456", "RVT02B6Q"));
    }

    [Fact]
    public void Partitions_are_excluded_and_whole_disks_kept()
    {
        var lines = new[] { "sda", "sda1", "vdb2", "hda3", "xvda1", "nvme0n1", "nvme0n1p1", "ram0", "zram1", "loop12", "fd0", "dm-0", "md127", "mmcblk0p1", "sr0" }
            .Select((name, i) => $"   8 {i,7} {name} 1 0 0 0 0 0 0 0 0 0 0");
        using var tree = FixtureRoots.Temp().Write("proc/diskstats", string.Join('\n', lines) + "\n");

        var sink = FixtureRoots.Collect(new DiskstatsCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(
            ["sda", "nvme0n1", "dm-0", "md127", "mmcblk0p1", "sr0"],
            sink.Family("node_disk_reads_completed_total").Samples.Select(s => s.LabelValues[0]));
    }

    [Fact]
    public void Old_kernel_lines_without_discard_fields_report_only_what_they_have()
    {
        using var tree = FixtureRoots.Temp().Write("proc/diskstats", "   8       0 sda 10 2 160 30 5 1 80 20 0 40 50\n");

        var sink = FixtureRoots.Collect(new DiskstatsCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(0.05, sink.Family("node_disk_io_time_weighted_seconds_total").Value("sda"), 9);
        Assert.Empty(sink.Family("node_disk_discards_completed_total").Samples);
        Assert.Empty(sink.Family("node_disk_flush_requests_total").Samples);
    }

    [Fact]
    public void Malformed_lines_are_skipped()
    {
        using var tree = FixtureRoots.Temp().Write("proc/diskstats", "garbage\n   8 x sdb 1\n   8       0 sda 10 2 160 30 5 1 80 20 0 40 50\n");

        var sink = FixtureRoots.Collect(new DiskstatsCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(["sda"], sink.Family("node_disk_reads_completed_total").Samples.Select(s => s.LabelValues[0]));
    }

    [Fact]
    public void Missing_diskstats_is_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new DiskstatsCollector(CollectorContext.For(tree.Root))));
    }
}
