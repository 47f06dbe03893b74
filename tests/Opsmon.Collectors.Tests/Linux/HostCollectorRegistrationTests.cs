using Opsmon.Collectors.Tests.TestSupport;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class HostCollectorRegistrationTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("stat")]
    [InlineData("meminfo")]
    [InlineData("vmstat")]
    [InlineData("pressure")]
    [InlineData("filefd")]
    [InlineData("uname")]
    [InlineData("os")]
    public void Each_host_collector_is_registered_enabled_under_its_node_exporter_name(string name)
    {
        var registration = CollectorCatalog.Find(name);

        Assert.NotNull(registration);
        Assert.True(registration.EnabledByDefault);
        Assert.Equal(name, registration.Create(FixtureRoots.Context("debian12-vm")).Name);
    }

    [Fact]
    public void Every_host_collector_succeeds_on_the_recorded_tree()
    {
        string[] names = ["cpu", "stat", "meminfo", "vmstat", "pressure", "filefd", "uname", "os"];
        var scraper = new Scraper(FixtureRoots.Context("debian12-vm"), names);

        var success = scraper.Collect().Family("opsmon_scrape_collector_success");

        Assert.All(names, name => Assert.Equal(1.0, success.Value(name)));
    }
}
