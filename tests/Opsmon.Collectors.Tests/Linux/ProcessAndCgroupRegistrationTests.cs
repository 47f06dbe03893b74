using Opsmon.Collectors.Tests.TestSupport;

namespace Opsmon.Collectors.Tests.Linux;

public sealed class ProcessAndCgroupRegistrationTests
{
    [Theory]
    [InlineData("processes")]
    [InlineData("cgroup")]
    public void Is_registered_enabled_by_default_under_its_name(string name)
    {
        var registration = CollectorCatalog.Find(name);

        Assert.NotNull(registration);
        Assert.True(registration.EnabledByDefault);
        Assert.Equal(name, registration.Create(FixtureRoots.Context("debian12-vm")).Name);
    }

    [Fact]
    public void Both_succeed_through_the_scraper_on_the_recorded_tree()
    {
        var scraper = new Scraper(FixtureRoots.Context("debian12-vm"), ["processes", "cgroup"]);

        var success = scraper.Collect().Family("opsmon_scrape_collector_success");

        Assert.Equal(1.0, success.Value("processes"));
        Assert.Equal(1.0, success.Value("cgroup"));
    }
}
