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
/// decommits the free space (<see cref="GCCollectionMode.Aggressive"/>). Bursts of scrapes or queries are never
/// interrupted: the trim waits for the quiet period after them. Measured in docs/benchmarks.md.
/// </summary>
public sealed class MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> logger, TrimPolicy? policy = null) : BackgroundService
{
    private readonly TrimPolicy _policy = policy ?? new TrimPolicy();
    private long _trims;

    /// <summary>Trims so far; published as opsmon_memory_trims_total.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_policy.Check, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_policy.ShouldTrim(GC.GetTotalAllocatedBytes()))
                {
                    Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _trims);
        // What a trim allocates (the memory info) must not count as activity for the next period.
        _policy.Trimmed(GC.GetTotalAllocatedBytes());
        logger.LogDebug("Heap trimmed: committed {Before} -> {After} bytes", before, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }
}

/// <summary>
/// When <see cref="MemoryTrimmer"/> trims, from the allocation counter sampled once per <see cref="Check"/>:
/// the last period allocated less than <see cref="QuietBytes"/> (the agent is idle), and at least
/// <see cref="MinGarbageBytes"/> were allocated since the last trim (there is something to give back).
/// </summary>
public sealed class TrimPolicy
{
    private long? _previous;
    private long _atLastTrim;

    public TimeSpan Check { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>At most this much allocated in one period counts as quiet; one scrape allocates far more.</summary>
    public long QuietBytes { get; init; } = 64 * 1024;

    public long MinGarbageBytes { get; init; } = 1024 * 1024;

    /// <summary>Called once per period with <see cref="GC.GetTotalAllocatedBytes"/>; true when a trim is due now.</summary>
    public bool ShouldTrim(long allocated)
    {
        var previous = _previous;
        _previous = allocated;
        return previous is { } p && allocated - p < QuietBytes && allocated - _atLastTrim >= MinGarbageBytes;
    }

    public void Trimmed(long allocated)
    {
        _atLastTrim = allocated;
        _previous = allocated;
    }
}
