using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class NetstatCollectorTests
{
    [Fact]
    public void Default_field_filter_selects_node_exporter_1_5_fields_from_the_recorded_files()
    {
        var sink = FixtureRoots.Collect(new NetstatCollector(FixtureRoots.Context("debian12-vm")));

        string[] expected =
        [
            "Icmp6_InErrors", "Icmp6_InMsgs", "Icmp6_OutMsgs", "Icmp_InErrors", "Icmp_InMsgs", "Icmp_OutMsgs",
            "Ip6_InOctets", "Ip6_OutOctets", "IpExt_InOctets", "IpExt_OutOctets", "Ip_Forwarding",
            "TcpExt_ListenDrops", "TcpExt_ListenOverflows", "TcpExt_SyncookiesFailed", "TcpExt_SyncookiesRecv", "TcpExt_SyncookiesSent",
            "TcpExt_TCPSynRetrans", "TcpExt_TCPTimeouts",
            "Tcp_ActiveOpens", "Tcp_CurrEstab", "Tcp_InErrs", "Tcp_InSegs", "Tcp_OutRsts", "Tcp_OutSegs", "Tcp_PassiveOpens", "Tcp_RetransSegs",
            "Udp6_InDatagrams", "Udp6_InErrors", "Udp6_NoPorts", "Udp6_OutDatagrams", "Udp6_RcvbufErrors", "Udp6_SndbufErrors",
            "UdpLite6_InErrors", "UdpLite_InErrors",
            "Udp_InDatagrams", "Udp_InErrors", "Udp_NoPorts", "Udp_OutDatagrams", "Udp_RcvbufErrors", "Udp_SndbufErrors",
        ];
        Assert.Equal(expected.Select(n => "node_netstat_" + n).Order(StringComparer.Ordinal), sink.Families.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("node_netstat_Tcp_InSegs", 2177.0)]
    [InlineData("node_netstat_Tcp_OutSegs", 1696.0)]
    [InlineData("node_netstat_Tcp_OutRsts", 16.0)]
    [InlineData("node_netstat_Tcp_ActiveOpens", 19.0)]
    [InlineData("node_netstat_Ip_Forwarding", 2.0)]
    [InlineData("node_netstat_IpExt_InOctets", 46535426.0)]
    [InlineData("node_netstat_TcpExt_TCPTimeouts", 2.0)]
    [InlineData("node_netstat_Ip6_InOctets", 128.0)]
    [InlineData("node_netstat_Icmp6_OutMsgs", 9.0)]
    [InlineData("node_netstat_Udp_OutDatagrams", 35.0)]
    public void Recorded_values_are_reported(string family, double expected)
    {
        var sink = FixtureRoots.Collect(new NetstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(expected, sink.Family(family).Value());
    }

    [Fact]
    public void Families_are_untyped_with_node_exporter_help()
    {
        var sink = FixtureRoots.Collect(new NetstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.All(sink.Families, f => Assert.Equal(MetricType.Untyped, f.Type));
        Assert.Equal("Statistic TcpRetransSegs.", sink.Family("node_netstat_Tcp_RetransSegs").Help);
    }

    [Fact]
    public void Fields_added_to_the_default_after_1_5_are_not_reported()
    {
        var sink = FixtureRoots.Collect(new NetstatCollector(FixtureRoots.Context("debian12-vm")));

        Assert.DoesNotContain(sink.Families, f => f.Name is "node_netstat_TcpExt_TCPOFOQueue" or "node_netstat_TcpExt_TCPRcvQDrop");
    }

    [Fact]
    public void Negative_values_are_kept()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/snmp", "Tcp: MaxConn InErrs\nTcp: -1 4\n");

        var sink = FixtureRoots.Collect(new NetstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(4, sink.Family("node_netstat_Tcp_InErrs").Value());
    }

    [Fact]
    public void Malformed_value_skips_only_that_field()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/snmp", "Udp: InDatagrams NoPorts\nUdp: x 3\n");

        var sink = FixtureRoots.Collect(new NetstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(["node_netstat_Udp_NoPorts"], sink.Families.Select(f => f.Name));
    }

    [Fact]
    public void Host_without_ipv6_reports_ipv4_counters()
    {
        using var tree = FixtureRoots.Temp()
            .Write("proc/net/netstat", "TcpExt: ListenDrops\nTcpExt: 5\n")
            .Write("proc/net/snmp", "Ip: Forwarding\nIp: 1\n");

        var sink = FixtureRoots.Collect(new NetstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(5, sink.Family("node_netstat_TcpExt_ListenDrops").Value());
        Assert.Equal(1, sink.Family("node_netstat_Ip_Forwarding").Value());
    }

    [Fact]
    public void Snmp6_names_split_after_the_first_six()
    {
        using var tree = FixtureRoots.Temp().Write("proc/net/snmp6", "UdpLite6InErrors \t 2\nIcmp6InMsgs 3\nNoSix 4\n");

        var sink = FixtureRoots.Collect(new NetstatCollector(CollectorContext.For(tree.Root)));

        Assert.Equal(2, sink.Family("node_netstat_UdpLite6_InErrors").Value());
        Assert.Equal(3, sink.Family("node_netstat_Icmp6_InMsgs").Value());
    }

    [Fact]
    public void Missing_files_are_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new NetstatCollector(CollectorContext.For(tree.Root))));
    }
}
