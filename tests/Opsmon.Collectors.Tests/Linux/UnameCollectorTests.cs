using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class UnameCollectorTests
{
    [Fact]
    public void Labels_are_the_uname_fields_from_proc_sys_kernel()
    {
        var sink = FixtureRoots.Collect(new UnameCollector(FixtureRoots.Context("debian12-vm")));

        var family = sink.Family("node_uname_info");
        Assert.Equal(["sysname", "release", "version", "machine", "nodename", "domainname"], family.LabelNames);
        Assert.Equal(1.0, family.Value("Linux", "6.18.44-fc-v782", "#1 SMP PREEMPT_DYNAMIC @0", "x86_64", "vm", "(none)"));
    }

    [Fact]
    public void Info_is_a_gauge_with_node_exporter_help()
    {
        var sink = FixtureRoots.Collect(new UnameCollector(FixtureRoots.Context("debian12-vm")));

        var family = sink.Family("node_uname_info");
        Assert.Equal(MetricType.Gauge, family.Type);
        Assert.Equal("Labeled system information as provided by the uname system call.", family.Help);
    }

    [Fact]
    public void Machine_is_empty_for_a_recorded_tree_of_a_kernel_without_kernel_arch()
    {
        var sink = FixtureRoots.Collect(new UnameCollector(FixtureRoots.Context("old-kernel-no-psi")));

        Assert.Equal(1.0, sink.Family("node_uname_info").Value("Linux", "4.19.0-27-amd64", "#1 SMP Debian 4.19.316-1 (2024-06-25)", "", "oldhost", "example.org"));
    }

    [Fact]
    public void The_live_machine_reports_a_machine_name()
    {
        var sink = FixtureRoots.Collect(new UnameCollector(CollectorContext.For(FsRoot.Live)));

        var machine = Assert.Single(sink.Family("node_uname_info").Samples).LabelValues[3];
        Assert.Contains(machine, new[] { "x86_64", "aarch64", "i686", "armv7l", "s390x", "ppc64le", "loongarch64", "riscv64" });
    }

    [Fact]
    public void A_missing_hostname_means_no_data()
    {
        using var tree = FixtureRoots.Temp()
            .Write("proc/sys/kernel/ostype", "Linux\n")
            .Write("proc/sys/kernel/osrelease", "6.1.0\n")
            .Write("proc/sys/kernel/version", "#1\n");

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new UnameCollector(CollectorContext.For(tree.Root))));
    }
}
