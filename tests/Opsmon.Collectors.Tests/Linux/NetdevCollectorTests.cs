using System.Text;
using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class NetdevCollectorTests
{
    private const string Header =
        "Inter-|   Receive                                                |  Transmit\n" +
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

    // debian12-vm/proc/net/dev: "  eth0: 46540675    2155    0    0    0     0          0         0   130328    1681 ..."
    [Theory]
    [InlineData("eth0", "node_network_receive_bytes_total", 46540675.0)]
    [InlineData("eth0", "node_network_receive_packets_total", 2155.0)]
    [InlineData("eth0", "node_network_transmit_bytes_total", 130328.0)]
    [InlineData("eth0", "node_network_transmit_packets_total", 1681.0)]
    [InlineData("lo", "node_network_receive_bytes_total", 25105.0)]
    [InlineData("lo", "node_network_transmit_packets_total", 60.0)]
    [InlineData("ifb0", "node_network_receive_bytes_total", 0.0)]
    public void Recorded_interfaces_are_reported(string device, string family, double expected)
    {
        var sink = FixtureRoots.Collect(new NetdevCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(family).Value(device));
    }

    [Fact]
    public void Columns_map_to_node_exporter_names_in_file_order()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/dev", Header + "  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");

        var sink = FixtureRoots.Collect(new NetdevCollector(CollectorContext.For(tree.Root)));

        string[] names =
        [
            "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
            "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
        ];
        Assert.Equal(names.Select(n => $"node_network_{n}_total"), sink.Families.Select(f => f.Name));
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (double)i), sink.Families.Select(f => f.Value("eth1")));
    }

    [Fact]
    public void Families_are_counters_labelled_by_device()
    {
        var sink = FixtureRoots.Collect(new NetdevCollector(FixtureRoots.Context("debian12-vm")));

        Assert.All(sink.Families, f =>
        {
            Assert.Equal(MetricType.Counter, f.Type);
            Assert.Equal(["device"], f.LabelNames);
            Assert.Equal(4, f.Samples.Count);
        });
    }

    [Fact]
    public void Counter_glued_to_the_colon_is_read()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/dev", Header + "  eth0:12345678901234 5 0 0 0 0 0 0 7 8 0 0 0 0 0 0\n");

        var sink = FixtureRoots.Collect(new NetdevCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(12345678901234, sink.Family("node_network_receive_bytes_total").Value("eth0"));
    }

    [Fact]
    public void Odd_device_names_are_kept_and_invalid_utf8_is_replaced()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/dev", "");
        byte[] content = [.. Encoding.UTF8.GetBytes(Header + "vpn-ü.10@x: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n  w"), 0xFF, .. "g0: 3 0 0 0 0 0 0 0 4 0 0 0 0 0 0 0\n"u8];
        File.WriteAllBytes(Path.Combine(tree.Path, "proc", "net", "dev"), content);

        var sink = FixtureRoots.Collect(new NetdevCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(1, sink.Family("node_network_receive_bytes_total").Value("vpn-ü.10@x"));
        Assert.Equal(3, sink.Family("node_network_receive_bytes_total").Value("w\uFFFDg0"));
    }

    [Fact]
    public void Short_line_reports_the_columns_it_has()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/dev", Header + "  eth0: 10 20\n");

        var sink = FixtureRoots.Collect(new NetdevCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(20, sink.Family("node_network_receive_packets_total").Value("eth0"));
        Assert.Empty(sink.Family("node_network_receive_errs_total").Samples);
    }

    [Fact]
    public void Missing_file_is_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new NetdevCollector(CollectorContext.For(tree.Root))));
    }
}
