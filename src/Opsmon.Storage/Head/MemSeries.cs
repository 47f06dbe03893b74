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
/// Only the newest chunk is appendable; a full one is sealed into an exact-size immutable buffer (the packed
/// block encoding when that is smaller, else its XOR bytes), so a long-running head keeps no growth slack or
/// encoder state per old chunk, and queries read sealed chunks without copying them.
/// </summary>
/// <param name="gate">Guards this series' chunks; the head shares a few locks among all series instead of one each.</param>
internal sealed class MemSeries(ulong seriesRef, Labels labels, Lock gate)
{
    private SealedChunk[] _sealed = [];
    private XorChunk? _open;
    private long _chunkEnd;

    public ulong Ref { get; } = seriesRef;

    public Labels Labels { get; } = labels;

    public long MaxTime { get; private set; } = long.MinValue;

    public double LastValue { get; private set; }

    public AppendOutcome Append(long timestamp, double value, long blockRange)
    {
        lock (gate)
        {
            var open = _open;
            if (open is not null)
            {
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

                if (open.Count < XorChunk.TargetSamples && timestamp < _chunkEnd)
                {
                    open.Append(timestamp, value);
                    MaxTime = timestamp;
                    LastValue = value;
                    return AppendOutcome.Appended;
                }

                _sealed = [.. _sealed, Seal(open)];
            }

            // The last chunk's size is the best guess of the next one's: one buffer, rarely grown.
            var chunk = new XorChunk(open is null ? 32 : open.ByteCount + (open.ByteCount >> 3) + 8);
            chunk.Append(timestamp, value);
            _open = chunk;
            _chunkEnd = (Math.DivRem(timestamp, blockRange, out var rem) + (rem < 0 ? 0 : 1)) * blockRange;
            MaxTime = timestamp;
            LastValue = value;
            return AppendOutcome.Appended;
        }
    }

    public long MinTime
    {
        get
        {
            lock (gate)
            {
                return _sealed.Length > 0 ? _sealed[0].MinTime : _open?.MinTime ?? long.MaxValue;
            }
        }
    }

    public int SampleCount
    {
        get
        {
            lock (gate)
            {
                var count = _open?.Count ?? 0;
                foreach (var chunk in _sealed)
                {
                    count += chunk.Count;
                }

                return count;
            }
        }
    }

    /// <summary>Handles on the chunks overlapping [mint, maxt] as they are now.</summary>
    public List<ChunkHandle> Snapshot(long mint, long maxt)
    {
        lock (gate)
        {
            var result = new List<ChunkHandle>();
            foreach (var chunk in _sealed)
            {
                if (chunk.MaxTime >= mint && chunk.MinTime <= maxt)
                {
                    result.Add(new MemChunkHandle(chunk.Data, chunk.Count, chunk.MinTime, chunk.MaxTime));
                }
            }

            if (_open is { } open && open.MaxTime >= mint && open.MinTime <= maxt)
            {
                result.Add(new MemChunkHandle(open.Bytes.ToArray(), open.Count, open.MinTime, open.MaxTime));
            }

            return result;
        }
    }

    /// <summary>Whether any chunk overlaps [mint, maxt]; copies nothing.</summary>
    public bool Overlaps(long mint, long maxt)
    {
        lock (gate)
        {
            foreach (var chunk in _sealed)
            {
                if (chunk.MaxTime >= mint && chunk.MinTime <= maxt)
                {
                    return true;
                }
            }

            return _open is { } open && open.MaxTime >= mint && open.MinTime <= maxt;
        }
    }

    /// <summary>The chunks wholly before <paramref name="end"/> (sealed ones shared, the open one copied), for writing a block.</summary>
    public List<(XorChunkData Data, long MinTime, long MaxTime)> ChunksBefore(long end)
    {
        lock (gate)
        {
            var result = new List<(XorChunkData, long, long)>(_sealed.Length + 1);
            foreach (var chunk in _sealed)
            {
                if (chunk.MaxTime < end)
                {
                    result.Add((new XorChunkData(chunk.Data, chunk.Count), chunk.MinTime, chunk.MaxTime));
                }
            }

            if (_open is { } open && open.MaxTime < end)
            {
                result.Add((new XorChunkData(open.ToArray(), open.Count), open.MinTime, open.MaxTime));
            }

            return result;
        }
    }

    /// <summary>Drops chunks wholly before <paramref name="mint"/>; returns whether the series is now empty.</summary>
    public bool TruncateBefore(long mint)
    {
        lock (gate)
        {
            if (Array.Exists(_sealed, c => c.MaxTime < mint))
            {
                _sealed = Array.FindAll(_sealed, c => c.MaxTime >= mint);
            }

            if (_open is { } open && open.MaxTime < mint)
            {
                _open = null;
            }

            return _open is null && _sealed.Length == 0;
        }
    }

    /// <summary>A full chunk as the smaller of its packed re-encoding and its own XOR bytes; both decode with <see cref="ChunkIterator"/>.</summary>
    private static SealedChunk Seal(XorChunk chunk)
    {
        Span<long> timestamps = stackalloc long[XorChunk.TargetSamples];
        Span<double> values = stackalloc double[XorChunk.TargetSamples];
        var n = 0;
        var it = chunk.Iterator();
        while (it.MoveNext())
        {
            timestamps[n] = it.Timestamp;
            values[n++] = it.Value;
        }

        var packed = PackedChunk.Encode(timestamps[..n], values[..n]);
        var data = packed.Length < chunk.ByteCount ? packed : chunk.ToArray();
        return new SealedChunk(data, chunk.Count, chunk.MinTime, chunk.MaxTime);
    }

    private readonly record struct SealedChunk(byte[] Data, int Count, long MinTime, long MaxTime);
}
