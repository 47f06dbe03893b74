using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class HwmonCollectorTests
{
    [Theory]
    [InlineData("node_hwmon_temp_celsius", "temp1", 42.0)]
    [InlineData("node_hwmon_temp_crit_celsius", "temp1", 100.0)]
    [InlineData("node_hwmon_temp_max_celsius", "temp1", 80.0)]
    [InlineData("node_hwmon_temp_celsius", "temp2", 39.5)]
    [InlineData("node_hwmon_fan_rpm", "fan1", 1200.0)]
    [InlineData("node_hwmon_fan_min_rpm", "fan1", 300.0)]
    [InlineData("node_hwmon_in_volts", "in0", 1.2)]
    [InlineData("node_hwmon_curr_amps", "curr1", 0.5)]
    [InlineData("node_hwmon_power_average_watt", "power1", 12.5)]
    public void Sensor_readings_are_named_and_scaled_like_node_exporter(string family, string sensor, double expected)
    {
        using var tree = Board();

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(expected, sink.Family(family).Value("nct6775", sensor), 9);
    }

    [Fact]
    public void Sensor_families_are_gauges_labelled_by_chip_and_sensor()
    {
        using var tree = Board();

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(MetricType.Gauge, sink.Family("node_hwmon_temp_celsius").Type);
        Assert.Equal(["chip", "sensor"], sink.Family("node_hwmon_temp_celsius").LabelNames);
    }

    [Fact]
    public void Chip_names_annotate_the_chip_with_its_name_file()
    {
        using var tree = Board();

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(1, sink.Family("node_hwmon_chip_names").Value("nct6775", "nct6775"));
    }

    [Fact]
    public void Sensor_labels_come_from_label_files()
    {
        using var tree = Board();

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        var labels = sink.Family("node_hwmon_sensor_label");
        Assert.Equal(["chip", "sensor", "label"], labels.LabelNames);
        Assert.Equal(1, labels.Value("nct6775", "temp1", "Package id 0"));
    }

    [Fact]
    public void Chip_is_named_after_bus_and_device_when_a_device_link_exists()
    {
        using var tree = FixtureRoots.Temp()
            .Write("sys/devices/platform/coretemp.0/hwmon/hwmon1/name", "coretemp\n")
            .Write("sys/devices/platform/coretemp.0/hwmon/hwmon1/temp1_input", "51000\n");
        Directory.CreateSymbolicLink(Path.Combine(tree.Path, "sys/devices/platform/coretemp.0/hwmon/hwmon1/device"), "../../../coretemp.0");
        Directory.CreateDirectory(Path.Combine(tree.Path, "sys/class/hwmon"));
        Directory.CreateSymbolicLink(Path.Combine(tree.Path, "sys/class/hwmon/hwmon1"), "../../devices/platform/coretemp.0/hwmon/hwmon1");

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(51, sink.Family("node_hwmon_temp_celsius").Value("platform_coretemp_0", "temp1"));
        Assert.Equal(1, sink.Family("node_hwmon_chip_names").Value("platform_coretemp_0", "coretemp"));
    }

    [Fact]
    public void Chip_without_name_or_device_is_named_after_its_directory()
    {
        using var tree = FixtureRoots.Temp().Write("sys/class/hwmon/hwmon3/temp1_input", "30000\n");

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(30, sink.Family("node_hwmon_temp_celsius").Value("hwmon3", "temp1"));
        Assert.DoesNotContain(sink.Families, f => f.Name == "node_hwmon_chip_names");
    }

    [Fact]
    public void Non_numeric_and_unknown_files_are_ignored()
    {
        using var tree = FixtureRoots.Temp()
            .Write("sys/class/hwmon/hwmon0/name", "acpitz\n")
            .Write("sys/class/hwmon/hwmon0/temp1_input", "n/a\n")
            .Write("sys/class/hwmon/hwmon0/temp2_input", "20000\n")
            .Write("sys/class/hwmon/hwmon0/uevent", "DEVTYPE=hwmon\n");

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(["temp2"], sink.Family("node_hwmon_temp_celsius").Samples.Select(s => s.LabelValues[1]));
    }

    [Fact]
    public void Empty_hwmon_class_reports_nothing()
    {
        using var tree = FixtureRoots.Temp().Write("sys/class/hwmon/README", "not a chip\n");

        var sink = FixtureRoots.Collect(new HwmonCollector(CollectorContext.For(tree.Root)));

        Assert.Empty(sink.Families);
    }

    [Fact]
    public void Machine_without_hwmon_is_no_data()
    {
        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new HwmonCollector(FixtureRoots.Context("debian12-vm"))));
    }

    private static TempTree Board() => FixtureRoots.Temp()
        .Write("sys/class/hwmon/hwmon0/name", "nct6775\n")
        .Write("sys/class/hwmon/hwmon0/temp1_input", "42000\n")
        .Write("sys/class/hwmon/hwmon0/temp1_crit", "100000\n")
        .Write("sys/class/hwmon/hwmon0/temp1_max", "80000\n")
        .Write("sys/class/hwmon/hwmon0/temp1_label", "Package id 0\n")
        .Write("sys/class/hwmon/hwmon0/temp2_input", "39500\n")
        .Write("sys/class/hwmon/hwmon0/fan1_input", "1200\n")
        .Write("sys/class/hwmon/hwmon0/fan1_min", "300\n")
        .Write("sys/class/hwmon/hwmon0/in0_input", "1200\n")
        .Write("sys/class/hwmon/hwmon0/curr1_input", "500\n")
        .Write("sys/class/hwmon/hwmon0/power1_average", "12500000\n");
}
