using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class PressureCollectorTests
{
    // debian12-vm/proc/pressure: cpu some total=38066914; io some 1483963, full 1215677; memory some 0, full 0.
    [Theory]
    [InlineData("node_pressure_cpu_waiting_seconds_total", 38.066914)]
    [InlineData("node_pressure_io_waiting_seconds_total", 1.483963)]
    [InlineData("node_pressure_io_stalled_seconds_total", 1.215677)]
    [InlineData("node_pressure_memory_waiting_seconds_total", 0.0)]
    [InlineData("node_pressure_memory_stalled_seconds_total", 0.0)]
    public void Totals_are_reported_in_seconds(string name, double expected)
    {
        var sink = FixtureRoots.Collect(new PressureCollector(FixtureRoots.Context("debian12-vm")));

        var family = sink.Family(name);
        Assert.Equal(expected, family.Value(), 12);
        Assert.Equal(MetricType.Counter, family.Type);
    }

    [Fact]
    public void The_cpu_full_line_is_not_exported()
    {
        var sink = FixtureRoots.Collect(new PressureCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(5, sink.Families.Count);
        Assert.DoesNotContain(sink.Families, f => f.Name == "node_pressure_cpu_stalled_seconds_total");
    }

    [Fact]
    public void Irq_pressure_is_reported_as_stalled_when_the_kernel_has_it()
    {
        using var tree = FixtureRoots.Temp()
            .Write("proc/pressure/cpu", "some avg10=0.00 avg60=0.00 avg300=0.00 total=10\n")
            .Write("proc/pressure/irq", "full avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\n");

        var sink = FixtureRoots.Collect(new PressureCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(2.5, sink.Family("node_pressure_irq_stalled_seconds_total").Value());
        Assert.Equal(
            ["node_pressure_cpu_waiting_seconds_total", "node_pressure_irq_stalled_seconds_total"],
            sink.Families.Select(f => f.Name));
    }

    [Fact]
    public void A_line_without_a_total_is_left_out()
    {
        using var tree = FixtureRoots.Temp()
            .Write("proc/pressure/io", "some avg10=0.00 avg60=0.00 avg300=0.00\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n");

        var sink = FixtureRoots.Collect(new PressureCollector(CollectorContext.For(tree.Root)));

        Assert.Equal("node_pressure_io_stalled_seconds_total", Assert.Single(sink.Families).Name);
    }

    [Fact]
    public void No_proc_pressure_means_no_data()
    {
        var collector = new PressureCollector(FixtureRoots.Context("old-kernel-no-psi"));

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(collector));
    }
}
