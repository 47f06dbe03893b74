using System.Buffers.Binary;
using Opsmon.Core.Series;
using Opsmon.Storage.Blocks;
using Opsmon.Storage.Chunks;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Blocks;

public sealed class BlockFormatTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_version_1_block_of_xor_chunks_is_still_read_exactly()
    {
        double[] values = [1, 2.5, StaleNaN.Value, Math.PI, -0.0, 1e300];
        var legacy = new XorChunk();
        for (var i = 0; i < values.Length; i++)
        {
            legacy.Append(i * 15_000L, values[i]);
        }

        var directory = WriteBlock([new ChunkToWrite(new XorChunkData(legacy.ToArray(), legacy.Count), legacy.MinTime, legacy.MaxTime)]);
        SetVersion(directory, 1);

        using var block = Block.Open(directory);
        Assert.Equal(values.Select(BitConverter.DoubleToUInt64Bits), Read(block).Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
    }

    [Fact]
    public void Sealed_chunks_are_written_packed_and_read_back_exactly()
    {
        var samples = Enumerable.Range(0, 3000).Select(i => (T: i * 15_000L, V: i % 500 == 0 ? StaleNaN.Value : i * 0.01)).ToList();
        var chunks = Compactor.Encode(new ListIterator(samples));

        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(PackedChunk.Encoding, c.Data.Bytes[0]));
        using var block = Block.Open(WriteBlock(chunks));
        Assert.Equal(samples.Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))), Read(block).Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V))));
    }

    [Fact]
    public void A_block_of_a_newer_format_version_is_refused_with_the_versions_this_build_reads()
    {
        var directory = WriteBlock(Compactor.Encode(new ListIterator([(0, 1.0)])));
        SetVersion(directory, BlockWriter.FormatVersion + 1);

        var error = Assert.Throws<InvalidDataException>(() => Block.Open(directory));
        Assert.Contains($"version {BlockWriter.FormatVersion + 1}", error.Message, StringComparison.Ordinal);
    }

    private string WriteBlock(IReadOnlyList<ChunkToWrite> chunks)
    {
        var meta = BlockWriter.Write(_dir.Path, Ulid.New(TimeProvider.System), [(Series("a"), chunks)], 1, [])!;
        return Path.Combine(_dir.Path, meta.Ulid);
    }

    /// <summary>Rewrites the version byte of both files (and the index checksum), as an older or newer build would have.</summary>
    private static void SetVersion(string directory, int version)
    {
        var chunks = File.ReadAllBytes(Path.Combine(directory, BlockWriter.ChunksFile));
        chunks[4] = (byte)version;
        File.WriteAllBytes(Path.Combine(directory, BlockWriter.ChunksFile), chunks);
        var index = File.ReadAllBytes(Path.Combine(directory, BlockWriter.IndexFile));
        index[4] = (byte)version;
        BinaryPrimitives.WriteUInt32LittleEndian(index.AsSpan(index.Length - 4), Crc32C.Compute(index.AsSpan(0, index.Length - 4)));
        File.WriteAllBytes(Path.Combine(directory, BlockWriter.IndexFile), index);
    }

    private static List<(long T, double V)> Read(Block block)
    {
        var result = new List<(long, double)>();
        var it = new SeriesIterator(block.ChunksOf(0, long.MinValue, long.MaxValue), long.MinValue, long.MaxValue);
        while (it.MoveNext())
        {
            result.Add((it.Timestamp, it.Value));
        }

        return result;
    }

    private sealed class ListIterator(IReadOnlyList<(long T, double V)> samples) : ISampleIterator
    {
        private int _index = -1;

        public long Timestamp => samples[_index].T;

        public double Value => samples[_index].V;

        public bool MoveNext() => ++_index < samples.Count;
    }
}
