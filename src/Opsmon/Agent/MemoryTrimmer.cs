using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Opsmon.Agent;

/// <summary>
/// Gives the managed heap's spare memory back to the host once the agent goes quiet. .NET's workstation GC keeps
/// a whole young-generation budget (several MB) committed between collections and has no background scavenger
/// as Go's runtime does, so an agent scraped every 15 s would hold memory it touches for a few milliseconds per
/// scrape. Every <see cref="TrimPolicy.Check"/> period this looks at how much was allocated: when the last period
/// was quiet (a scrape, query or collection allocates far more than the idle agent does) and enough was
/// allocated since the last trim for the heap to hold garbage (a few scrapes' worth), it runs one compacting collection that also
/// decommits the free space (<see cref="GCCollectionMode.Aggressive"/>). Bursts of queries are not interrupted:
/// the trim waits for the quiet period after them. A scraper that never pauses (scrapes back to back) gets a trim
/// after the scrape that brings the garbage since the last one to <see cref="TrimPolicy.ScrapeGarbageBytes"/>, on
/// the thread pool once the response is written, so however fast /metrics is read the heap holds at most that much
/// garbage; a trim costs 5-9 ms for the agent's ~6 MB heap. Measured in docs/benchmarks.md.
/// </summary>
public sealed class MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> logger, TrimPolicy? policy = null) : BackgroundService
{
    private readonly TrimPolicy _policy = policy ?? new TrimPolicy();
    private long _trims;
    private int _trimming;

    /// <summary>Trims so far; published as opsmon_memory_trims_total.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_policy.Check, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_policy.ShouldTrim(GC.GetTotalAllocatedBytes()) && Interlocked.Exchange(ref _trimming, 1) == 0)
                {
                    Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Called after each /metrics scrape: queues a trim when the scrapes since the last one left enough garbage.</summary>
    public void AfterScrape()
    {
        if (_policy.ScrapeGarbageDue(GC.GetTotalAllocatedBytes()) && Interlocked.Exchange(ref _trimming, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static trimmer => trimmer.Trim(), this, preferLocal: false);
        }
    }

    /// <summary>Runs with <see cref="_trimming"/> set by the caller, and clears it.</summary>
    private void Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _trims);
        // What a trim allocates (the memory info) must not count as activity for the next period.
        _policy.Trimmed(GC.GetTotalAllocatedBytes());
        Volatile.Write(ref _trimming, 0);
        logger.LogDebug("Heap trimmed: committed {Before} -> {After} bytes", before, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }
}

/// <summary>
/// When <see cref="MemoryTrimmer"/> trims, from the allocation counter sampled once per <see cref="Check"/>:
/// the last period allocated less than <see cref="QuietBytes"/> (the agent is idle), and at least
/// <see cref="MinGarbageBytes"/> were allocated since the last trim (there is something to give back); or, right
/// after a scrape, <see cref="ScrapeGarbageBytes"/> were allocated since the last trim.
/// </summary>
public sealed class TrimPolicy
{
    // Both are written by the timer's thread and by a trim queued after a scrape; -1: no sample yet.
    private long _previous = -1;
    private long _atLastTrim;

    public TimeSpan Check { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>At most this much allocated in one period counts as quiet; one scrape allocates far more.</summary>
    public long QuietBytes { get; init; } = 64 * 1024;

    public long MinGarbageBytes { get; init; } = 1024 * 1024;

    /// <summary>Garbage that scrapes without a pause may leave before a trim is due anyway (about 20 scrapes' worth).</summary>
    public long ScrapeGarbageBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>True when the allocation since the last trim reached <see cref="ScrapeGarbageBytes"/>.</summary>
    public bool ScrapeGarbageDue(long allocated) => allocated - Volatile.Read(ref _atLastTrim) >= ScrapeGarbageBytes;

    /// <summary>Called once per period with <see cref="GC.GetTotalAllocatedBytes"/>; true when a trim is due now.</summary>
    public bool ShouldTrim(long allocated)
    {
        var previous = Interlocked.Exchange(ref _previous, allocated);
        return previous >= 0 && allocated - previous < QuietBytes && allocated - Volatile.Read(ref _atLastTrim) >= MinGarbageBytes;
    }

    public void Trimmed(long allocated)
    {
        Volatile.Write(ref _atLastTrim, allocated);
        Volatile.Write(ref _previous, allocated);
    }
}
