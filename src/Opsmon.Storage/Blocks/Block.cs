using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;
using Opsmon.Storage.Index;

namespace Opsmon.Storage.Blocks;

/// <summary>Where one chunk of a block series lies in the chunks file.</summary>
internal readonly record struct BlockChunkMeta(long MinTime, long MaxTime, long Offset, int Length);

/// <summary>
/// An opened, immutable block. The index is verified (CRC) and held in memory; chunks are read from the file on
/// demand and verified one by one. A chunk that fails its check marks the block <see cref="Corrupt"/> so that
/// maintenance quarantines it; the query skips that chunk. The file handle is not closed when the block is
/// deleted: queries that still hold the block keep reading the unlinked file (Linux semantics).
/// </summary>
internal sealed class Block : IPostingsIndex, IDisposable
{
    private readonly Labels[] _series;
    private readonly BlockChunkMeta[][] _chunks;
    private readonly Dictionary<string, Dictionary<string, ulong[]>> _postings;
    private readonly SafeFileHandle _chunkFile;
    private volatile bool _corrupt;

    private Block(string directory, BlockMeta meta, Labels[] series, BlockChunkMeta[][] chunks, Dictionary<string, Dictionary<string, ulong[]>> postings, SafeFileHandle chunkFile)
    {
        Directory = directory;
        Meta = meta;
        _series = series;
        _chunks = chunks;
        _postings = postings;
        _chunkFile = chunkFile;
    }

    public string Directory { get; }

    public BlockMeta Meta { get; }

    public bool Corrupt => _corrupt;

    public long SizeBytes { get; private init; }

    /// <summary>Opens and verifies a block; throws <see cref="InvalidDataException"/> or <see cref="IOException"/> when it is unusable.</summary>
    public static Block Open(string directory)
    {
        var meta = BlockMeta.FromJson(File.ReadAllText(Path.Combine(directory, BlockMeta.FileName)));
        var indexPath = Path.Combine(directory, BlockWriter.IndexFile);
        var index = File.ReadAllBytes(indexPath);
        if (index.Length < 9 || !index.AsSpan(0, 4).SequenceEqual(BlockWriter.IndexMagic))
        {
            throw new InvalidDataException("index: bad magic.");
        }

        if (index[4] is < BlockWriter.OldestReadableVersion or > BlockWriter.FormatVersion)
        {
            throw new InvalidDataException($"index: format version {index[4]} is not readable by this version of Opsmon (it reads {BlockWriter.OldestReadableVersion} to {BlockWriter.FormatVersion}).");
        }

        var body = index.AsSpan(0, index.Length - 4);
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(index.AsSpan(index.Length - 4)))
        {
            throw new InvalidDataException("index: checksum mismatch.");
        }

        var decoder = new ByteDecoder(body) { Position = 5 };
        var symbols = new string[decoder.Int()];
        for (var i = 0; i < symbols.Length; i++)
        {
            symbols[i] = decoder.String();
        }

        var chunkPath = Path.Combine(directory, BlockWriter.ChunksFile);
        var chunkFileLength = new FileInfo(chunkPath).Length;
        var series = new Labels[decoder.Int()];
        var chunks = new BlockChunkMeta[series.Length][];
        var pairs = new List<Label>();
        for (var i = 0; i < series.Length; i++)
        {
            pairs.Clear();
            var labelCount = decoder.Int();
            for (var j = 0; j < labelCount; j++)
            {
                pairs.Add(new Label(Symbol(symbols, decoder.Int()), Symbol(symbols, decoder.Int())));
            }

            series[i] = Labels.From(pairs);
            var seriesChunks = new BlockChunkMeta[decoder.Int()];
            for (var j = 0; j < seriesChunks.Length; j++)
            {
                var min = decoder.Varint();
                var max = min + (long)decoder.UVarint();
                var offset = (long)decoder.UVarint();
                var length = decoder.Int();
                if (offset < 5 || offset + length > chunkFileLength)
                {
                    throw new InvalidDataException($"index: chunk of series {i} points past the end of the chunks file.");
                }

                seriesChunks[j] = new BlockChunkMeta(min, max, offset, length);
            }

            chunks[i] = seriesChunks;
        }

        var postings = new Dictionary<string, Dictionary<string, ulong[]>>(StringComparer.Ordinal);
        var pairCount = decoder.Int();
        for (var i = 0; i < pairCount; i++)
        {
            var name = Symbol(symbols, decoder.Int());
            var value = Symbol(symbols, decoder.Int());
            var ids = new ulong[decoder.Int()];
            var id = 0UL;
            for (var j = 0; j < ids.Length; j++)
            {
                id += decoder.UVarint();
                if (id >= (ulong)series.Length)
                {
                    throw new InvalidDataException("index: posting refers to a missing series.");
                }

                ids[j] = id;
            }

            if (!postings.TryGetValue(name, out var values))
            {
                values = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
                postings[name] = values;
            }

            values[value] = ids;
        }

        var handle = File.OpenHandle(chunkPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> magic = stackalloc byte[5];
        if (RandomAccess.Read(handle, magic, 0) != 5 || !magic[..4].SequenceEqual(BlockWriter.ChunksMagic)
            || magic[4] is < BlockWriter.OldestReadableVersion or > BlockWriter.FormatVersion)
        {
            handle.Dispose();
            throw new InvalidDataException($"chunks: bad magic or unreadable format version {magic[4]}.");
        }

        return new Block(directory, meta, series, chunks, postings, handle) { SizeBytes = chunkFileLength + index.Length };
    }

    public int SeriesCount => _series.Length;

    public Labels SeriesLabels(int id) => _series[id];

    public IReadOnlyList<ulong> AllPostings()
    {
        var all = new ulong[_series.Length];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (ulong)i;
        }

        return all;
    }

    public IReadOnlyCollection<string> ValuesOf(string name) =>
        _postings.TryGetValue(name, out var values) ? values.Keys : [];

    public IReadOnlyList<ulong> Postings(string name, string value) =>
        _postings.TryGetValue(name, out var values) && values.TryGetValue(value, out var ids) ? ids : [];

    public IReadOnlyCollection<string> Names() => _postings.Keys;

    /// <summary>Series matching <paramref name="matchers"/> with chunks in [mint, maxt], in label order.</summary>
    public List<(Labels Labels, List<ChunkHandle> Chunks)> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var result = new List<(Labels, List<ChunkHandle>)>();
        foreach (var id in Index.Postings.Select(this, matchers))
        {
            var chunks = ChunksOf((int)id, mint, maxt);
            if (chunks.Count > 0)
            {
                result.Add((_series[id], chunks));
            }
        }

        return result;
    }

    /// <summary>Label sets of the series <see cref="Select"/> would return, without reading chunks.</summary>
    public IEnumerable<Labels> SelectLabels(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        Index.Postings.Select(this, matchers)
            .Where(id => Array.Exists(_chunks[id], c => c.MaxTime >= mint && c.MinTime <= maxt))
            .Select(id => _series[id]);

    public List<ChunkHandle> ChunksOf(int id, long mint, long maxt)
    {
        var chunks = new List<ChunkHandle>();
        foreach (var meta in _chunks[id])
        {
            if (meta.MaxTime >= mint && meta.MinTime <= maxt)
            {
                chunks.Add(new BlockChunkHandle(this, meta));
            }
        }

        return chunks;
    }

    /// <summary>An iterator over a chunk, decoding it in place in the record read from disk (no copy of its bytes).</summary>
    public ChunkIterator? OpenChunk(BlockChunkMeta meta)
    {
        try
        {
            var record = ReadRecord(meta, out var count, out var start);
            return new ChunkIterator(record, start, count);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            _corrupt = true;
            return null;
        }
    }

    /// <summary>Reads and checks a chunk record; its bytes are record[start..start + length).</summary>
    private byte[] ReadRecord(BlockChunkMeta meta, out int count, out int start)
    {
        var record = new byte[meta.Length];
        if (RandomAccess.Read(_chunkFile, record, meta.Offset) != record.Length)
        {
            throw new InvalidDataException("chunks: short read.");
        }

        var decoder = new ByteDecoder(record);
        count = decoder.Int();
        var length = decoder.Int();
        start = decoder.Position;
        var bytes = decoder.Bytes(length);
        if (Crc32C.Compute(bytes) != decoder.UInt32())
        {
            throw new InvalidDataException("chunks: checksum mismatch.");
        }

        return record;
    }

    public void Dispose() => _chunkFile.Dispose();

    private static string Symbol(string[] symbols, int index) =>
        index < symbols.Length ? symbols[index] : throw new InvalidDataException($"index: symbol {index} out of range.");
}

internal sealed class BlockChunkHandle(Block block, BlockChunkMeta meta) : ChunkHandle(meta.MinTime, meta.MaxTime)
{
    public override ChunkIterator? Open() => block.OpenChunk(meta);
}
