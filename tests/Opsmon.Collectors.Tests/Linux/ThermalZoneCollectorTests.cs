using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class ThermalZoneCollectorTests
{
    [Fact]
    public void Zone_temperature_is_millidegrees_over_1000_labelled_by_zone_number_and_type()
    {
        using var tree = Laptop();

        var sink = FixtureRoots.Collect(new ThermalZoneCollector(CollectorContext.For(tree.Root)));

        var temp = sink.Family("node_thermal_zone_temp");
        Assert.Equal(["zone", "type"], temp.LabelNames);
        Assert.Equal(MetricType.Gauge, temp.Type);
        Assert.Equal(45.5, temp.Value("0", "x86_pkg_temp"));
        Assert.Equal(27.8, temp.Value("10", "acpitz"));
    }

    [Fact]
    public void Zones_are_reported_in_number_order()
    {
        using var tree = Laptop();

        var sink = FixtureRoots.Collect(new ThermalZoneCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(["0", "2", "10"], sink.Family("node_thermal_zone_temp").Samples.Select(s => s.LabelValues[0]));
    }

    [Fact]
    public void Cooling_device_states_are_labelled_by_name_and_type()
    {
        using var tree = Laptop();

        var sink = FixtureRoots.Collect(new ThermalZoneCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(["name", "type"], sink.Family("node_cooling_device_cur_state").LabelNames);
        Assert.Equal(3, sink.Family("node_cooling_device_cur_state").Value("0", "Processor"));
        Assert.Equal(10, sink.Family("node_cooling_device_max_state").Value("0", "Processor"));
    }

    [Fact]
    public void Negative_current_state_is_kept()
    {
        using var tree = Laptop();

        var sink = FixtureRoots.Collect(new ThermalZoneCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(-1, sink.Family("node_cooling_device_cur_state").Value("1", "intel_powerclamp"));
    }

    [Fact]
    public void Zone_without_a_temperature_is_skipped()
    {
        using var tree = Laptop().Write("sys/class/thermal/thermal_zone5/type", "iwlwifi_1\n");

        var sink = FixtureRoots.Collect(new ThermalZoneCollector(CollectorContext.For(tree.Root)));

        Assert.DoesNotContain(sink.Family("node_thermal_zone_temp").Samples, s => s.LabelValues[0] == "5");
    }

    [Fact]
    public void Machine_without_thermal_class_is_no_data()
    {
        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new ThermalZoneCollector(FixtureRoots.Context("debian12-vm"))));
    }

    [Fact]
    public void Thermal_class_without_zones_or_devices_reports_nothing()
    {
        using var tree = FixtureRoots.Temp().Write("sys/class/thermal/thermal_zonex/type", "odd\n");

        var sink = FixtureRoots.Collect(new ThermalZoneCollector(CollectorContext.For(tree.Root)));

        Assert.Empty(sink.Families);
    }

    private static TempTree Laptop() => FixtureRoots.Temp()
        .Write("sys/class/thermal/thermal_zone0/type", "x86_pkg_temp\n")
        .Write("sys/class/thermal/thermal_zone0/temp", "45500\n")
        .Write("sys/class/thermal/thermal_zone10/type", "acpitz\n")
        .Write("sys/class/thermal/thermal_zone10/temp", "27800\n")
        .Write("sys/class/thermal/thermal_zone2/type", "pch_cannonlake\n")
        .Write("sys/class/thermal/thermal_zone2/temp", "-5000\n")
        .Write("sys/class/thermal/cooling_device0/type", "Processor\n")
        .Write("sys/class/thermal/cooling_device0/cur_state", "3\n")
        .Write("sys/class/thermal/cooling_device0/max_state", "10\n")
        .Write("sys/class/thermal/cooling_device1/type", "intel_powerclamp\n")
        .Write("sys/class/thermal/cooling_device1/cur_state", "-1\n")
        .Write("sys/class/thermal/cooling_device1/max_state", "50\n");
}
