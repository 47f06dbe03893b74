using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class FilefdCollectorTests
{
    [Fact]
    public void Allocated_and_maximum_come_from_the_first_and_third_fields()
    {
        // debian12-vm/proc/sys/fs/file-nr: "325\t0\t2466160"
        var sink = FixtureRoots.Collect(new FilefdCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(325.0, sink.Family("node_filefd_allocated").Value());
        Assert.Equal(2466160.0, sink.Family("node_filefd_maximum").Value());
    }

    [Fact]
    public void Both_are_gauges_with_node_exporter_help()
    {
        var sink = FixtureRoots.Collect(new FilefdCollector(FixtureRoots.Context("debian12-vm")));

        Assert.Equal(MetricType.Gauge, sink.Family("node_filefd_allocated").Type);
        Assert.Equal("File descriptor statistics: maximum.", sink.Family("node_filefd_maximum").Help);
    }

    [Fact]
    public void A_maximum_of_long_max_is_reported()
    {
        var sink = FixtureRoots.Collect(new FilefdCollector(FixtureRoots.Context("old-kernel-no-psi")));

        Assert.Equal(9223372036854775807.0, sink.Family("node_filefd_maximum").Value());
    }

    [Fact]
    public void Fewer_than_three_fields_fail_the_collection()
    {
        using var tree = FixtureRoots.Temp().Write("proc/sys/fs/file-nr", "325\t0\n");

        Assert.Throws<FormatException>(() => FixtureRoots.Collect(new FilefdCollector(CollectorContext.For(tree.Root))));
    }

    [Fact]
    public void A_missing_file_nr_means_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new FilefdCollector(CollectorContext.For(tree.Root))));
    }
}
