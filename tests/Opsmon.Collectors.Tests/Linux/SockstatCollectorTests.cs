using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class SockstatCollectorTests
{
    // debian12-vm/proc/net/sockstat and sockstat6:
    //   sockets: used 8 / TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 33 / UDP: inuse 0 mem 0 / UDPLITE: inuse 0 /
    //   RAW: inuse 0 / FRAG: inuse 0 memory 0 // TCP6: inuse 0 / UDP6: inuse 0 / UDPLITE6: inuse 0 / RAW6: inuse 0 /
    //   FRAG6: inuse 0 memory 0
    [Theory]
    [InlineData("node_sockstat_sockets_used", 8.0)]
    [InlineData("node_sockstat_TCP_inuse", 1.0)]
    [InlineData("node_sockstat_TCP_orphan", 0.0)]
    [InlineData("node_sockstat_TCP_tw", 0.0)]
    [InlineData("node_sockstat_TCP_alloc", 1.0)]
    [InlineData("node_sockstat_TCP_mem", 33.0)]
    [InlineData("node_sockstat_UDP_mem", 0.0)]
    [InlineData("node_sockstat_FRAG_memory", 0.0)]
    [InlineData("node_sockstat_TCP6_inuse", 0.0)]
    public void Recorded_values_are_reported(string family, double expected)
    {
        var sink = FixtureRoots.Collect(new SockstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(family).Value());
    }

    [Fact]
    public void Mem_bytes_is_mem_pages_times_the_page_size()
    {
        var sink = FixtureRoots.Collect(new SockstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(33.0 * Environment.SystemPageSize, sink.Family("node_sockstat_TCP_mem_bytes").Value());
    }

    [Fact]
    public void Only_fields_a_line_has_are_reported_in_node_exporter_order()
    {
        var sink = FixtureRoots.Collect(new SockstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(
            [
                "node_sockstat_sockets_used",
                "node_sockstat_TCP_inuse", "node_sockstat_TCP_orphan", "node_sockstat_TCP_tw", "node_sockstat_TCP_alloc", "node_sockstat_TCP_mem", "node_sockstat_TCP_mem_bytes",
                "node_sockstat_UDP_inuse", "node_sockstat_UDP_mem", "node_sockstat_UDP_mem_bytes",
                "node_sockstat_UDPLITE_inuse",
                "node_sockstat_RAW_inuse",
                "node_sockstat_FRAG_inuse", "node_sockstat_FRAG_memory",
                "node_sockstat_TCP6_inuse", "node_sockstat_UDP6_inuse", "node_sockstat_UDPLITE6_inuse", "node_sockstat_RAW6_inuse",
                "node_sockstat_FRAG6_inuse", "node_sockstat_FRAG6_memory",
            ],
            sink.Families.Select(f => f.Name));
    }

    [Fact]
    public void Families_are_unlabelled_gauges()
    {
        var sink = FixtureRoots.Collect(new SockstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.All(sink.Families, f =>
        {
            Assert.Equal(MetricType.Gauge, f.Type);
            Assert.Empty(f.LabelNames);
        });
    }

    [Fact]
    public void Unknown_keys_and_malformed_values_are_ignored()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/sockstat", "TCP: inuse 3 future 9 tw x alloc 5\n");

        var sink = FixtureRoots.Collect(new SockstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(["node_sockstat_TCP_inuse", "node_sockstat_TCP_alloc"], sink.Families.Select(f => f.Name));
        Assert.Equal(5, sink.Family("node_sockstat_TCP_alloc").Value());
    }

    [Fact]
    public void Missing_ipv6_file_still_reports_ipv4()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/sockstat", "sockets: used 7\n");

        var sink = FixtureRoots.Collect(new SockstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(7, sink.Family("node_sockstat_sockets_used").Value());
    }

    [Fact]
    public void Missing_files_are_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new SockstatCollector(CollectorContext.For(tree.Root))));
    }
}
