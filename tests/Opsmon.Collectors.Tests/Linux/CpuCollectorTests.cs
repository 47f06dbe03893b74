using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class CpuCollectorTests
{
    private const string Seconds = "node_cpu_seconds_total";
    private const string Guest = "node_cpu_guest_seconds_total";

    // debian12-vm/proc/stat: cpu0 6722 0 2689 38326 24 0 88 0 0 0 / cpu1 7670 0 2865 37080 157 0 74 0 0 0
    [Theory]
    [InlineData("0", "user", 67.22)]
    [InlineData("0", "nice", 0.0)]
    [InlineData("0", "system", 26.89)]
    [InlineData("0", "idle", 383.26)]
    [InlineData("0", "iowait", 0.24)]
    [InlineData("0", "irq", 0.0)]
    [InlineData("0", "softirq", 0.88)]
    [InlineData("0", "steal", 0.0)]
    [InlineData("1", "user", 76.70)]
    [InlineData("1", "system", 28.65)]
    [InlineData("1", "idle", 370.80)]
    [InlineData("1", "iowait", 1.57)]
    [InlineData("1", "softirq", 0.74)]
    public void Seconds_are_ticks_divided_by_user_hz_per_cpu_and_mode(string cpu, string mode, double expected)
    {
        var sink = FixtureRoots.Collect(new CpuCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(Seconds).Value(cpu, mode));
    }

    [Fact]
    public void Families_are_counters_labelled_by_cpu_and_mode()
    {
        var sink = FixtureRoots.Collect(new CpuCollector(FixtureRoots.Context("debian12-vm")));

        foreach (var family in new[] { sink.Family(Seconds), sink.Family(Guest) })
        {
            Assert.Equal(MetricType.Counter, family.Type);
            Assert.Equal(["cpu", "mode"], family.LabelNames);
        }
    }

    [Fact]
    public void The_aggregate_cpu_line_is_left_out()
    {
        var sink = FixtureRoots.Collect(new CpuCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(["0", "1"], sink.Family(Seconds).Samples.Select(s => s.LabelValues[0]).Distinct());
        Assert.Equal(16, sink.Family(Seconds).Samples.Count);
        Assert.Equal(4, sink.Family(Guest).Samples.Count);
    }

    [Fact]
    public void Guest_time_is_reported_separately_and_not_subtracted_from_user_and_nice()
    {
        using var tree = FixtureRoots.Temp().Write("proc/stat", "cpu0 1000 500 0 0 0 0 0 0 300 200\n");

        var sink = FixtureRoots.Collect(new CpuCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(3.0, sink.Family(Guest).Value("0", "user"));
        Assert.Equal(2.0, sink.Family(Guest).Value("0", "nice"));
        Assert.Equal(10.0, sink.Family(Seconds).Value("0", "user"));
        Assert.Equal(5.0, sink.Family(Seconds).Value("0", "nice"));
    }

    [Fact]
    public void Fields_an_older_kernel_lacks_read_as_zero()
    {
        var sink = FixtureRoots.Collect(new CpuCollector(FixtureRoots.Context("old-kernel-no-psi")));

        Assert.Equal(0.03, sink.Family(Seconds).Value("0", "steal"));
        Assert.Equal(0.0, sink.Family(Guest).Value("0", "user"));
        Assert.Equal(0.0, sink.Family(Guest).Value("0", "nice"));
    }

    [Fact]
    public void A_mode_counter_that_goes_backwards_keeps_its_previous_value()
    {
        using var tree = FixtureRoots.Temp().Write("proc/stat", "cpu0 1000 0 500 10000 0 0 0 0 0 0\n");
        var collector = new CpuCollector(CollectorContext.For(tree.Root));
        FixtureRoots.Collect(collector);

        tree.Write("proc/stat", "cpu0 990 0 600 10100 0 0 0 0 0 0\n");
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(10.0, sink.Family(Seconds).Value("0", "user"));
        Assert.Equal(6.0, sink.Family(Seconds).Value("0", "system"));
        Assert.Equal(101.0, sink.Family(Seconds).Value("0", "idle"));
    }

    [Fact]
    public void An_idle_counter_dropping_by_less_than_three_seconds_is_held()
    {
        using var tree = FixtureRoots.Temp().Write("proc/stat", "cpu0 1000 0 500 10000 0 0 0 0 0 0\n");
        var collector = new CpuCollector(CollectorContext.For(tree.Root));
        FixtureRoots.Collect(collector);

        tree.Write("proc/stat", "cpu0 400 0 500 9750 0 0 0 0 0 0\n");
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(100.0, sink.Family(Seconds).Value("0", "idle"));
        Assert.Equal(10.0, sink.Family(Seconds).Value("0", "user"));
    }

    [Fact]
    public void An_idle_counter_dropping_by_three_seconds_or_more_resets_the_cpu_as_a_hotplug()
    {
        using var tree = FixtureRoots.Temp().Write("proc/stat", "cpu0 1000 0 500 10000 0 0 0 0 0 0\n");
        var collector = new CpuCollector(CollectorContext.For(tree.Root));
        FixtureRoots.Collect(collector);

        tree.Write("proc/stat", "cpu0 40 0 20 9700 0 0 0 0 0 0\n");
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(97.0, sink.Family(Seconds).Value("0", "idle"));
        Assert.Equal(0.4, sink.Family(Seconds).Value("0", "user"));
        Assert.Equal(0.2, sink.Family(Seconds).Value("0", "system"));
    }

    [Fact]
    public void A_cpu_that_goes_offline_leaves_the_output_and_returns_with_fresh_values()
    {
        using var tree = FixtureRoots.Temp().Write("proc/stat", "cpu0 100 0 0 100 0 0 0 0 0 0\ncpu1 900 0 0 900 0 0 0 0 0 0\n");
        var collector = new CpuCollector(CollectorContext.For(tree.Root));
        FixtureRoots.Collect(collector);

        tree.Write("proc/stat", "cpu0 100 0 0 100 0 0 0 0 0 0\n");
        var offline = FixtureRoots.Collect(collector);
        tree.Write("proc/stat", "cpu0 100 0 0 100 0 0 0 0 0 0\ncpu1 5 0 0 899 0 0 0 0 0 0\n");
        var back = FixtureRoots.Collect(collector);

        Assert.DoesNotContain(offline.Family(Seconds).Samples, s => s.LabelValues[0] == "1");
        Assert.Equal(0.05, back.Family(Seconds).Value("1", "user"));
    }

    [Fact]
    public void A_field_that_is_not_a_number_fails_the_collection()
    {
        using var tree = FixtureRoots.Temp().Write("proc/stat", "cpu0 100 x 0 100 0 0 0 0 0 0\n");

        var error = Assert.Throws<FormatException>(() => FixtureRoots.Collect(new CpuCollector(CollectorContext.For(tree.Root))));

        Assert.Contains("cpu0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_proc_stat_means_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new CpuCollector(CollectorContext.For(tree.Root))));
    }
}
