using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class MeminfoCollectorTests
{
    [Theory]
    [InlineData("node_memory_MemTotal_bytes", 24683620.0 * 1024)]
    [InlineData("node_memory_MemAvailable_bytes", 24386536.0 * 1024)]
    [InlineData("node_memory_Active_anon_bytes", 1504.0 * 1024)]
    [InlineData("node_memory_Inactive_file_bytes", 122132.0 * 1024)]
    [InlineData("node_memory_Committed_AS_bytes", 47212.0 * 1024)]
    [InlineData("node_memory_VmallocTotal_bytes", 34359738367.0 * 1024)]
    [InlineData("node_memory_DirectMap2M_bytes", 25141248.0 * 1024)]
    public void A_field_in_kB_is_reported_in_bytes_with_a_bytes_suffix(string name, double expected)
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(name).Value());
    }

    [Fact]
    public void A_field_without_a_unit_keeps_its_bare_name()
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(0.0, sink.Family("node_memory_HugePages_Total").Value());
        Assert.DoesNotContain(sink.Families, f => f.Name == "node_memory_HugePages_Total_bytes");
    }

    [Fact]
    public void Every_line_of_the_recorded_tree_becomes_one_gauge()
    {
        var lines = File.ReadAllLines(Path.Combine(FixtureRoots.Root("debian12-vm").Path, "proc", "meminfo")).Length;

        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(lines, sink.Families.Count);
        Assert.All(sink.Families, f => Assert.Equal(MetricType.Gauge, f.Type));
    }

    [Fact]
    public void Help_names_the_field_as_node_exporter_does()
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal("Memory information field MemTotal_bytes.", sink.Family("node_memory_MemTotal_bytes").Help);
    }

    [Fact]
    public void Parentheses_in_a_key_become_an_underscore()
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("meminfo-odd-keys")));

        Assert.Equal(2.0 * 1024, sink.Family("node_memory_Active_anon_bytes").Value());
        Assert.Equal(3.0 * 1024, sink.Family("node_memory_Inactive_file_bytes").Value());
    }

    [Fact]
    public void A_unitless_key_ending_in_total_is_a_counter()
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("meminfo-odd-keys")));

        Assert.Equal(MetricType.Counter, sink.Family("node_memory_Foo_total").Type);
        Assert.Equal(7.0, sink.Family("node_memory_Foo_total").Value());
        Assert.Equal(MetricType.Gauge, sink.Family("node_memory_HugePages_Total").Type);
    }

    [Fact]
    public void Blank_and_malformed_lines_are_skipped_without_failing_the_rest()
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("meminfo-odd-keys")));

        Assert.Equal(
            ["node_memory_MemTotal_bytes", "node_memory_Active_anon_bytes", "node_memory_Inactive_file_bytes", "node_memory_Foo_total", "node_memory_HugePages_Total"],
            sink.Families.Select(f => f.Name));
    }

    [Fact]
    public void A_repeated_key_reports_its_first_value_once()
    {
        var sink = FixtureRoots.Collect(new MeminfoCollector(FixtureRoots.Context("meminfo-odd-keys")));

        Assert.Equal(1000.0 * 1024, Assert.Single(sink.Family("node_memory_MemTotal_bytes").Samples).Value);
    }

    [Fact]
    public void Later_scrapes_reuse_the_family_names_built_by_the_first()
    {
        var collector = new MeminfoCollector(FixtureRoots.Context("debian12-vm"));

        var first = FixtureRoots.Collect(collector).Families.Select(f => f.Name).ToArray();
        var second = FixtureRoots.Collect(collector).Families.Select(f => f.Name).ToArray();

        Assert.Equal(first.Length, second.Length);
        Assert.All(first.Zip(second), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public void A_missing_proc_meminfo_means_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new MeminfoCollector(CollectorContext.For(tree.Root))));
    }
}
