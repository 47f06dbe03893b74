using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class VmstatCollectorTests
{
    // The debian12-vm/proc/vmstat lines the default pattern ^(oom_kill|pgpg|pswp|pg.*fault).* selects.
    [Theory]
    [InlineData("node_vmstat_pgpgin", 551125.0)]
    [InlineData("node_vmstat_pgpgout", 319268.0)]
    [InlineData("node_vmstat_pswpin", 0.0)]
    [InlineData("node_vmstat_pswpout", 0.0)]
    [InlineData("node_vmstat_pgfault", 1817507.0)]
    [InlineData("node_vmstat_pgmajfault", 618.0)]
    [InlineData("node_vmstat_oom_kill", 0.0)]
    public void The_default_fields_are_reported_from_the_recorded_tree(string name, double expected)
    {
        var sink = FixtureRoots.Collect(new VmstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(name).Value());
    }

    [Fact]
    public void Fields_outside_the_default_pattern_are_left_out()
    {
        var sink = FixtureRoots.Collect(new VmstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(7, sink.Families.Count);
        Assert.DoesNotContain(sink.Families, f => f.Name == "node_vmstat_nr_free_pages");
    }

    [Fact]
    public void Families_are_untyped_with_node_exporter_help()
    {
        var sink = FixtureRoots.Collect(new VmstatCollector(FixtureRoots.Context("debian12-vm")));

        var family = sink.Family("node_vmstat_pgfault");
        Assert.Equal(MetricType.Untyped, family.Type);
        Assert.Equal("/proc/vmstat information field pgfault.", family.Help);
    }

    [Fact]
    public void A_custom_field_pattern_replaces_the_default()
    {
        var sink = FixtureRoots.Collect(new VmstatCollector(FixtureRoots.Context("debian12-vm"), "^nr_free_pages$"));

        var family = Assert.Single(sink.Families);
        Assert.Equal("node_vmstat_nr_free_pages", family.Name);
        Assert.Equal(872394.0, family.Value());
    }

    [Fact]
    public void A_line_without_a_number_is_skipped()
    {
        using var tree = FixtureRoots.Temp().Write("proc/vmstat", "pgfault\npgmajfault x\npgpgin 5\n");

        var sink = FixtureRoots.Collect(new VmstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal("node_vmstat_pgpgin", Assert.Single(sink.Families).Name);
    }

    [Fact]
    public void A_missing_proc_vmstat_means_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new VmstatCollector(CollectorContext.For(tree.Root))));
    }
}
