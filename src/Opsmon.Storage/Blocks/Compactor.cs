using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Blocks;

/// <summary>
/// Chooses and merges blocks. Ranges grow by 3 from the block range (2h → 6h → 18h → 54h) up to a tenth of
/// the retention. Blocks that overlap in time (backfill) are merged first; otherwise blocks that share an aligned
/// window of the next range are merged once that window is complete (some block reaches its end).
/// </summary>
internal static class Compactor
{
    public static IReadOnlyList<long> Ranges(long blockRange, long retention)
    {
        var ranges = new List<long> { blockRange };
        while (ranges[^1] * 3 <= Math.Max(retention / 10, blockRange))
        {
            ranges.Add(ranges[^1] * 3);
        }

        return ranges;
    }

    /// <summary>The blocks to merge next, or an empty list when nothing needs merging.</summary>
    public static IReadOnlyList<BlockMeta> Plan(IReadOnlyList<BlockMeta> blocks, IReadOnlyList<long> ranges)
    {
        var sorted = blocks.OrderBy(b => b.MinTime).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            var group = new List<BlockMeta> { sorted[i - 1] };
            var end = sorted[i - 1].MaxTime;
            for (var j = i; j < sorted.Count && sorted[j].MinTime < end; j++)
            {
                group.Add(sorted[j]);
                end = Math.Max(end, sorted[j].MaxTime);
            }

            if (group.Count > 1)
            {
                return group;
            }
        }

        if (sorted.Count < 2)
        {
            return [];
        }

        var newest = sorted.Max(b => b.MaxTime);
        foreach (var range in ranges.Skip(1))
        {
            var groups = sorted
                .Where(b => b.MaxTime - b.MinTime < range)
                .GroupBy(b => FloorDiv(b.MinTime, range))
                .Where(g => g.All(b => b.MaxTime <= (g.Key + 1) * range));
            foreach (var group in groups)
            {
                if (group.Count() > 1 && (group.Key + 1) * range <= newest)
                {
                    return [.. group];
                }
            }
        }

        return [];
    }

    public static long FloorDiv(long value, long divisor) =>
        (value / divisor) - (value % divisor < 0 ? 1 : 0);

    /// <summary>All series of <paramref name="blocks"/>, merged by label set in label order, re-encoded.</summary>
    public static IEnumerable<(Labels Labels, IReadOnlyList<ChunkToWrite> Chunks)> Merge(IReadOnlyList<Block> blocks)
    {
        var sources = new Dictionary<Labels, List<(Block Block, int Id)>>();
        foreach (var block in blocks)
        {
            for (var id = 0; id < block.SeriesCount; id++)
            {
                var labels = block.SeriesLabels(id);
                if (!sources.TryGetValue(labels, out var list))
                {
                    list = [];
                    sources[labels] = list;
                }

                list.Add((block, id));
            }
        }

        foreach (var labels in sources.Keys.Order())
        {
            var chunks = sources[labels]
                .SelectMany(s => s.Block.ChunksOf(s.Id, long.MinValue, long.MaxValue))
                .OrderBy(c => c.MinTime)
                .ToList();
            yield return (labels, Encode(new SeriesIterator(chunks, long.MinValue, long.MaxValue)));
        }
    }

    /// <summary>Encodes samples (in time order) into sealed chunks of <see cref="PackedChunk.TargetSamples"/>.</summary>
    public static List<ChunkToWrite> Encode(ISampleIterator samples)
    {
        var result = new List<ChunkToWrite>();
        var timestamps = new long[PackedChunk.TargetSamples];
        var values = new double[PackedChunk.TargetSamples];
        var count = 0;
        while (samples.MoveNext())
        {
            if (count == timestamps.Length)
            {
                result.Add(Seal(timestamps, values, count));
                count = 0;
            }

            timestamps[count] = samples.Timestamp;
            values[count++] = samples.Value;
        }

        if (count > 0)
        {
            result.Add(Seal(timestamps, values, count));
        }

        return result;
    }

    /// <summary>One sealed chunk of the first <paramref name="count"/> samples.</summary>
    public static ChunkToWrite Seal(long[] timestamps, double[] values, int count) =>
        new(new XorChunkData(PackedChunk.Encode(timestamps.AsSpan(0, count), values.AsSpan(0, count)), count), timestamps[0], timestamps[count - 1]);
}
