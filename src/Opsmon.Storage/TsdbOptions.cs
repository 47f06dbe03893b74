using Opsmon.Storage.Wal;

namespace Opsmon.Storage;

/// <summary>Settings of the embedded store. Only <see cref="DataDirectory"/> is required.</summary>
public sealed record TsdbOptions(string DataDirectory)
{
    /// <summary>Blocks whose newest sample is older than this (by <see cref="Time"/>) are deleted.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>When above zero, oldest blocks are deleted until blocks and WAL together fit.</summary>
    public long MaxBytes { get; init; }

    /// <summary>Span of data cut from the head into one block; compaction builds ×3 multiples of it.</summary>
    public TimeSpan BlockRange { get; init; } = TimeSpan.FromHours(2);

    public long WalSegmentSize { get; init; } = 32L * 1024 * 1024;

    /// <summary>Default: fsync every commit (one per scrape), so a crash loses at most the scrape in flight.</summary>
    public WalSyncMode WalSync { get; init; } = WalSyncMode.PerCommit;

    public TimeSpan WalSyncInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("storage: DataDirectory must be set.");
        }

        if (Retention <= TimeSpan.Zero)
        {
            throw new ArgumentException($"storage: Retention must be positive, got {Retention}.");
        }

        if (BlockRange < TimeSpan.FromMinutes(1) || BlockRange > Retention)
        {
            throw new ArgumentException($"storage: BlockRange must be between 1m and the retention, got {BlockRange}.");
        }

        if (WalSegmentSize < 1024)
        {
            throw new ArgumentException($"storage: WalSegmentSize must be at least 1024 bytes, got {WalSegmentSize}.");
        }

        if (MaxBytes < 0)
        {
            throw new ArgumentException($"storage: MaxBytes must not be negative, got {MaxBytes}.");
        }
    }
}

/// <summary>Counters and sizes of the store, for the agent to export as metrics.</summary>
public sealed record TsdbStats(
    long AppendedSamples,
    long OutOfOrderSamples,
    long DuplicateSamples,
    long WriteErrors,
    int WalRepairs,
    int QuarantinedBlocks,
    int HeadSeries,
    int Blocks,
    long BlockBytes);
