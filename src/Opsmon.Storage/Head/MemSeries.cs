using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Head;

internal enum AppendOutcome
{
    Appended,
    Duplicate,
    OutOfOrder,
}

/// <summary>
/// One series in the head: its chunks, oldest first. A chunk is cut after <see cref="XorChunk.TargetSamples"/>
/// samples or when a sample crosses a block-range boundary, so no chunk straddles two blocks.
/// </summary>
internal sealed class MemSeries(ulong seriesRef, Labels labels)
{
    private readonly Lock _gate = new();
    private readonly List<XorChunk> _chunks = [];
    private long _chunkEnd;

    public ulong Ref { get; } = seriesRef;

    public Labels Labels { get; } = labels;

    public long MaxTime { get; private set; } = long.MinValue;

    public AppendOutcome Append(long timestamp, double value, long blockRange)
    {
        lock (_gate)
        {
            if (_chunks.Count > 0)
            {
                var head = _chunks[^1];
                if (timestamp < MaxTime)
                {
                    return AppendOutcome.OutOfOrder;
                }

                if (timestamp == MaxTime)
                {
                    return BitConverter.DoubleToUInt64Bits(value) == BitConverter.DoubleToUInt64Bits(LastValue)
                        ? AppendOutcome.Duplicate
                        : AppendOutcome.OutOfOrder;
                }

                if (head.Count < XorChunk.TargetSamples && timestamp < _chunkEnd)
                {
                    head.Append(timestamp, value);
                    MaxTime = timestamp;
                    LastValue = value;
                    return AppendOutcome.Appended;
                }
            }

            var chunk = new XorChunk();
            chunk.Append(timestamp, value);
            _chunks.Add(chunk);
            _chunkEnd = (Math.DivRem(timestamp, blockRange, out var rem) + (rem < 0 ? 0 : 1)) * blockRange;
            MaxTime = timestamp;
            LastValue = value;
            return AppendOutcome.Appended;
        }
    }

    public double LastValue { get; private set; }

    public long MinTime
    {
        get
        {
            lock (_gate)
            {
                return _chunks.Count > 0 ? _chunks[0].MinTime : long.MaxValue;
            }
        }
    }

    public int SampleCount
    {
        get
        {
            lock (_gate)
            {
                return _chunks.Sum(c => c.Count);
            }
        }
    }

    /// <summary>Handles on the chunks overlapping [mint, maxt] as they are now.</summary>
    public List<ChunkHandle> Snapshot(long mint, long maxt)
    {
        lock (_gate)
        {
            var result = new List<ChunkHandle>();
            foreach (var chunk in _chunks)
            {
                if (chunk.MaxTime >= mint && chunk.MinTime <= maxt)
                {
                    result.Add(new MemChunkHandle(chunk.Bytes.ToArray(), chunk.Count, chunk.MinTime, chunk.MaxTime));
                }
            }

            return result;
        }
    }

    /// <summary>Whether any chunk overlaps [mint, maxt]; copies nothing.</summary>
    public bool Overlaps(long mint, long maxt)
    {
        lock (_gate)
        {
            return _chunks.Exists(c => c.MaxTime >= mint && c.MinTime <= maxt);
        }
    }

    /// <summary>Copies of the chunks wholly before <paramref name="end"/>, for writing a block.</summary>
    public List<(XorChunkData Data, long MinTime, long MaxTime)> ChunksBefore(long end)
    {
        lock (_gate)
        {
            return [.. _chunks.Where(c => c.MaxTime < end).Select(c => (new XorChunkData(c.ToArray(), c.Count), c.MinTime, c.MaxTime))];
        }
    }

    /// <summary>Drops chunks wholly before <paramref name="mint"/>; returns whether the series is now empty.</summary>
    public bool TruncateBefore(long mint)
    {
        lock (_gate)
        {
            _chunks.RemoveAll(c => c.MaxTime < mint);
            return _chunks.Count == 0;
        }
    }
}
