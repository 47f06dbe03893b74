using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class OsReleaseCollectorTests
{
    private static readonly string[] InfoLabels =
        ["build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"];

    [Fact]
    public void Info_carries_node_exporters_labels_from_etc_os_release()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("debian12-vm")));

        var family = sink.Family("node_os_info");
        Assert.Equal(InfoLabels, family.LabelNames);
        Assert.Equal(MetricType.Gauge, family.Type);
        Assert.Equal(1.0, family.Value("", "debian", "", "", "", "Debian GNU/Linux", "Debian GNU/Linux 12 (bookworm)", "", "", "12 (bookworm)", "bookworm", "12"));
    }

    [Fact]
    public void Version_is_the_numeric_version_id()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("debian12-vm")));

        var family = sink.Family("node_os_version");
        Assert.Equal(["id", "id_like", "name"], family.LabelNames);
        Assert.Equal(12.0, family.Value("debian", "", "Debian GNU/Linux"));
    }

    [Fact]
    public void Usr_lib_os_release_is_read_when_etc_has_none()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("old-kernel-no-psi")));

        Assert.Equal(10.0, sink.Family("node_os_version").Value("debian", "", "Debian GNU/Linux"));
    }

    [Fact]
    public void Quotes_escapes_comments_and_export_are_unwrapped()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("os-release-quoting")));

        var labels = Assert.Single(sink.Family("node_os_info").Samples).LabelValues;
        var byName = InfoLabels.Zip(labels).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal("Single \"quoted\" $name", byName["name"]);
        Assert.Equal("Escapes: \"q\" \\ $HOME `cmd`", byName["pretty_name"]);
        Assert.Equal("plain", byName["id"]);
        Assert.Equal("rhel fedora", byName["id_like"]);
        Assert.Equal("Server Edition", byName["variant"]);
    }

    [Fact]
    public void A_line_with_an_unterminated_quote_is_skipped()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("os-release-quoting")));

        Assert.Equal("", Assert.Single(sink.Family("node_os_info").Samples).LabelValues[0]);
    }

    [Fact]
    public void Version_keeps_only_major_and_minor()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("os-release-quoting")));

        Assert.Equal(22.04, sink.Family("node_os_version").Value("plain", "rhel fedora", "Single \"quoted\" $name"));
    }

    [Fact]
    public void Support_end_is_a_unix_timestamp_at_utc_midnight()
    {
        var sink = FixtureRoots.Collect(new OsReleaseCollector(FixtureRoots.Context("os-release-quoting")));

        var expected = new DateTimeOffset(2028, 3, 15, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal(expected, sink.Family("node_os_support_end_timestamp_seconds").Value());
    }

    [Fact]
    public void A_version_id_that_is_not_numeric_gives_no_version_series()
    {
        using var tree = FixtureRoots.Temp().Write("etc/os-release", "ID=arch\nVERSION_ID=rolling\n");

        var sink = FixtureRoots.Collect(new OsReleaseCollector(CollectorContext.For(tree.Root)));

        Assert.DoesNotContain(sink.Families, f => f.Name == "node_os_version");
        Assert.Single(sink.Family("node_os_info").Samples);
    }

    [Fact]
    public void The_file_is_parsed_again_when_its_modification_time_changes()
    {
        using var tree = FixtureRoots.Temp().Write("etc/os-release", "ID=first\n");
        var path = Path.Combine(tree.Path, "etc", "os-release");
        File.SetLastWriteTimeUtc(path, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var collector = new OsReleaseCollector(CollectorContext.For(tree.Root));
        FixtureRoots.Collect(collector);

        tree.Write("etc/os-release", "ID=second\n");
        File.SetLastWriteTimeUtc(path, new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal("second", Assert.Single(sink.Family("node_os_info").Samples).LabelValues[1]);
    }

    [Fact]
    public void The_parsed_file_is_reused_while_its_modification_time_is_unchanged()
    {
        using var tree = FixtureRoots.Temp().Write("etc/os-release", "ID=first\n");
        var path = Path.Combine(tree.Path, "etc", "os-release");
        var mtime = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, mtime);
        var collector = new OsReleaseCollector(CollectorContext.For(tree.Root));
        FixtureRoots.Collect(collector);

        tree.Write("etc/os-release", "ID=second\n");
        File.SetLastWriteTimeUtc(path, mtime);
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal("first", Assert.Single(sink.Family("node_os_info").Samples).LabelValues[1]);
    }

    [Fact]
    public void No_os_release_file_means_no_data()
    {
        using var tree = FixtureRoots.Temp();

        Assert.Throws<NoDataException>(() => FixtureRoots.Collect(new OsReleaseCollector(CollectorContext.For(tree.Root))));
    }
}
