using Opsmon.Core.Series;
using Opsmon.Storage.Blocks;
using Opsmon.Storage.Chunks;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Chunks;

/// <summary><see cref="ISampleIterator.Read"/> returns exactly the samples <see cref="ISampleIterator.MoveNext"/> does.</summary>
public sealed class BatchReadTests : IDisposable
{
    private const long Step = 15_000;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int> BatchSizes => [1, 7, 120, 256, 5000];

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Reading_head_xor_chunks_in_batches_returns_the_same_samples_across_chunk_boundaries(int batch)
    {
        var chunks = HeadChunks(Samples(0, 1000));

        Assert.Equal(Bits(ByMoveNext(chunks, long.MinValue, long.MaxValue)), Bits(ByRead(chunks, long.MinValue, long.MaxValue, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Reading_packed_chunks_in_batches_returns_the_same_samples_across_chunk_boundaries(int batch)
    {
        var chunks = PackedChunks(Samples(0, 3000));

        Assert.Equal(Bits(ByMoveNext(chunks, long.MinValue, long.MaxValue)), Bits(ByRead(chunks, long.MinValue, long.MaxValue, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Reading_a_range_that_starts_and_ends_inside_chunks_returns_only_the_samples_in_it(int batch)
    {
        var samples = Samples(0, 3000);
        var (mint, maxt) = (1234 * Step, (2345 * Step) + 1);
        var expected = Bits(samples.Where(s => s.T >= mint && s.T <= maxt).ToList());

        foreach (var chunks in new[] { HeadChunks(samples), PackedChunks(samples) })
        {
            Assert.Equal(expected, Bits(ByMoveNext(chunks, mint, maxt)));
            Assert.Equal(expected, Bits(ByRead(chunks, mint, maxt, batch)));
        }
    }

    [Fact]
    public void Read_continues_where_MoveNext_left_off_and_MoveNext_where_Read_left_off()
    {
        var samples = Samples(0, 2500);
        foreach (var chunks in new[] { HeadChunks(samples), PackedChunks(samples) })
        {
            var it = new SeriesIterator(chunks, long.MinValue, long.MaxValue);
            var result = new List<(long T, double V)>();
            var (timestamps, values) = (new long[300], new double[300]);
            while (true)
            {
                if (!it.MoveNext())
                {
                    break;
                }

                result.Add((it.Timestamp, it.Value));
                var n = it.Read(timestamps, values);
                Assert.True(n == 0 || (it.Timestamp == timestamps[n - 1] && it.Value.Equals(values[n - 1])));
                result.AddRange(Enumerable.Range(0, n).Select(i => (timestamps[i], values[i])));
            }

            Assert.Equal(Bits(samples), Bits(result));
        }
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Reading_overlapping_chunks_in_batches_merges_them_as_MoveNext_does(int batch)
    {
        var older = HeadChunks(Samples(0, 500));
        var backfilled = PackedChunks(Samples(250, 400).Select(s => (s.T + 1, s.V)).ToList());
        var chunks = older.Concat(backfilled).OrderBy(c => c.MinTime).ToList();

        var expected = ByMoveNext(chunks, long.MinValue, long.MaxValue);
        Assert.Equal(900, expected.Count);
        Assert.Equal(Bits(expected), Bits(ByRead(chunks, long.MinValue, long.MaxValue, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Reading_a_block_in_batches_returns_the_samples_written_to_it(int batch)
    {
        var samples = Samples(0, 3000);
        var meta = BlockWriter.Write(_dir.Path, Ulid.New(TimeProvider.System), [(Series("a"), Compactor.Encode(new ListIterator(samples)))], 1, [])!;
        using var block = Block.Open(Path.Combine(_dir.Path, meta.Ulid));

        Assert.Equal(Bits(samples), Bits(ByRead(block.ChunksOf(0, long.MinValue, long.MaxValue), long.MinValue, long.MaxValue, batch)));
    }

    [Fact]
    public void Read_returns_zero_at_the_end_and_keeps_returning_zero()
    {
        var it = new SeriesIterator(PackedChunks(Samples(0, 10)), long.MinValue, long.MaxValue);
        var (timestamps, values) = (new long[16], new double[16]);

        Assert.Equal(10, it.Read(timestamps, values));
        Assert.Equal(0, it.Read(timestamps, values));
        Assert.Equal(0, it.Read(timestamps, values));
        Assert.False(it.MoveNext());
    }

    [Fact]
    public void The_default_Read_of_another_iterator_reads_through_MoveNext()
    {
        var samples = Samples(0, 50);
        ISampleIterator it = new ListIterator(samples);
        var (timestamps, values) = (new long[32], new double[32]);

        var first = it.Read(timestamps, values);
        var rest = it.Read(timestamps, values);

        Assert.Equal((32, 18), (first, rest));
        Assert.Equal(Bits(samples[32..]), Bits(Enumerable.Range(0, 18).Select(i => (timestamps[i], values[i])).ToList()));
        Assert.Equal(0, it.Read(timestamps, values));
    }

    /// <summary>Integer-like counters, decimals, arbitrary doubles and special values, so every value encoding appears.</summary>
    private static List<(long T, double V)> Samples(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => (T: i * Step, V: (i / 700) switch
        {
            0 => i % 97 == 0 ? StaleNaN.Value : i * 3.0,
            1 => i * 0.01,
            2 => i * Math.PI,
            _ => i % 11 == 0 ? double.PositiveInfinity : i * 1.5,
        }))];

    private static List<ChunkHandle> HeadChunks(IReadOnlyList<(long T, double V)> samples)
    {
        var handles = new List<ChunkHandle>();
        for (var start = 0; start < samples.Count; start += XorChunk.TargetSamples)
        {
            var chunk = new XorChunk();
            foreach (var (t, v) in samples.Skip(start).Take(XorChunk.TargetSamples))
            {
                chunk.Append(t, v);
            }

            handles.Add(new MemChunkHandle(chunk.ToArray(), chunk.Count, chunk.MinTime, chunk.MaxTime));
        }

        return handles;
    }

    private static List<ChunkHandle> PackedChunks(IReadOnlyList<(long T, double V)> samples)
    {
        var handles = new List<ChunkHandle>();
        for (var start = 0; start < samples.Count; start += PackedChunk.TargetSamples)
        {
            var part = samples.Skip(start).Take(PackedChunk.TargetSamples).ToList();
            var bytes = PackedChunk.Encode([.. part.Select(s => s.T)], [.. part.Select(s => s.V)]);
            Assert.Equal(PackedChunk.Encoding, bytes[0]);
            handles.Add(new MemChunkHandle(bytes, part.Count, part[0].T, part[^1].T));
        }

        return handles;
    }

    private static List<(long T, double V)> ByMoveNext(IReadOnlyList<ChunkHandle> chunks, long mint, long maxt)
    {
        var result = new List<(long, double)>();
        var it = new SeriesIterator(chunks, mint, maxt);
        while (it.MoveNext())
        {
            result.Add((it.Timestamp, it.Value));
        }

        return result;
    }

    private static List<(long T, double V)> ByRead(IReadOnlyList<ChunkHandle> chunks, long mint, long maxt, int batch)
    {
        var result = new List<(long, double)>();
        var it = new SeriesIterator(chunks, mint, maxt);
        var (timestamps, values) = (new long[batch], new double[batch]);
        for (var n = it.Read(timestamps, values); n > 0; n = it.Read(timestamps, values))
        {
            result.AddRange(Enumerable.Range(0, n).Select(i => (timestamps[i], values[i])));
        }

        return result;
    }

    private static List<(long T, ulong Bits)> Bits(IReadOnlyList<(long T, double V)> samples) =>
        [.. samples.Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V)))];

    private sealed class ListIterator(IReadOnlyList<(long T, double V)> samples) : ISampleIterator
    {
        private int _index = -1;

        public long Timestamp => samples[_index].T;

        public double Value => samples[_index].V;

        public bool MoveNext() => ++_index < samples.Count;
    }
}
