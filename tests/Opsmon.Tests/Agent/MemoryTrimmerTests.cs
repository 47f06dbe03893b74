using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Opsmon.Agent;

namespace Opsmon.Tests.Agent;

public sealed class MemoryTrimmerTests
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void A_quiet_period_after_enough_allocation_trims_once()
    {
        var policy = new TrimPolicy();

        Assert.False(policy.ShouldTrim(10 * Mb)); // the first sample only sets the baseline
        Assert.True(policy.ShouldTrim(10 * Mb + 1000)); // quiet, and 10 MB since start-up
        policy.Trimmed(10 * Mb + 2000);
        Assert.False(policy.ShouldTrim(10 * Mb + 3000)); // quiet, but nothing new to give back
    }

    [Fact]
    public void A_burst_is_never_interrupted_and_the_trim_follows_it()
    {
        var policy = new TrimPolicy();
        policy.Trimmed(0);
        var allocated = 0L;

        for (var period = 0; period < 20; period++)
        {
            allocated += 400 * 1024; // a scrape or more in every period
            Assert.False(policy.ShouldTrim(allocated));
        }

        Assert.True(policy.ShouldTrim(allocated + 100));
    }

    [Fact]
    public void Scrapes_far_apart_are_trimmed_once_enough_garbage_built_up()
    {
        var policy = new TrimPolicy();
        policy.Trimmed(0);
        var allocated = 0L;
        var trims = 0;
        for (var scrape = 0; scrape < 30; scrape++)
        {
            allocated += 200 * 1024;
            Assert.False(policy.ShouldTrim(allocated)); // the period with the scrape
            for (var quiet = 0; quiet < 29; quiet++)
            {
                if (policy.ShouldTrim(allocated + quiet))
                {
                    trims++;
                    policy.Trimmed(allocated + quiet);
                }
            }
        }

        // 6 MB allocated in 200 KB steps: one trim per 1 MB, not one per scrape.
        Assert.Equal(5, trims);
    }

    [Fact]
    public void Scrapes_back_to_back_are_trimmed_every_few_megabytes_of_garbage()
    {
        var policy = new TrimPolicy();
        policy.Trimmed(0);
        var allocated = 0L;
        var trims = 0;
        for (var scrape = 0; scrape < 100; scrape++)
        {
            allocated += 200 * 1024;
            Assert.False(policy.ShouldTrim(allocated)); // no quiet period ever comes
            if (policy.ScrapeGarbageDue(allocated))
            {
                trims++;
                policy.Trimmed(allocated);
            }
        }

        // 20 MB in 200 KB scrapes: a trim each 4 MB, not one per scrape and not never.
        Assert.Equal(4, trims);
    }

    [Fact]
    public async Task The_service_trims_the_heap_when_its_clock_says_a_period_was_quiet()
    {
        var time = new FakeTimeProvider();
        var trimmer = new MemoryTrimmer(time, NullLogger<MemoryTrimmer>.Instance, new TrimPolicy { MinGarbageBytes = 1 });
        await trimmer.StartAsync(CancellationToken.None);
        try
        {
            GC.KeepAlive(new byte[4096]);
            for (var i = 0; i < 20 && trimmer.Trims == 0; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                await Task.Delay(20); // the timer's continuation runs on the thread pool
            }

            Assert.True(trimmer.Trims >= 1);
        }
        finally
        {
            await trimmer.StopAsync(CancellationToken.None);
        }
    }
}
