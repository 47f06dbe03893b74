using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Blocks;

/// <summary>One closed chunk of a series, ready to be written.</summary>
internal readonly record struct ChunkToWrite(XorChunkData Data, long MinTime, long MaxTime);

/// <summary>
/// Writes a block directory: meta.json, <c>chunks</c> and <c>index</c>. Everything goes to NAME.tmp first,
/// is fsynced, and the directory is renamed into place, so a block either exists whole or not at all.
/// <para>chunks: "OPCK", version byte, then records [uvarint samples][uvarint bytes][chunk][u32 CRC-32C of the chunk].
/// A chunk's first byte names its encoding: 0…7 an <see cref="XorChunk"/> stream (all that version 1 wrote),
/// <see cref="PackedChunk.Encoding"/> a packed chunk (version 2 writes these).</para>
/// <para>index: "OPIX", version byte; symbols (uvarint count, strings, ordinal order); series in label order
/// (uvarint label count, symbol refs, uvarint chunk count, per chunk zigzag min time, uvarint span,
/// uvarint offset, uvarint length); postings (uvarint count, per label pair name ref, value ref, uvarint count,
/// delta-encoded series ids); a trailing u32 CRC-32C of all preceding bytes.</para>
/// </summary>
internal static class BlockWriter
{
    public static readonly byte[] ChunksMagic = "OPCK"u8.ToArray();
    public static readonly byte[] IndexMagic = "OPIX"u8.ToArray();
    public const byte FormatVersion = 2;

    /// <summary>The oldest format version still read: version 1 differs only in its chunk encoding.</summary>
    public const byte OldestReadableVersion = 1;
    public const string ChunksFile = "chunks";
    public const string IndexFile = "index";

    /// <summary>
    /// Writes a block from series given in label order; returns its meta, or null when there was nothing to write.
    /// The block's range is <paramref name="range"/> when given (a head cut covers its whole window), else the data's.
    /// </summary>
    public static BlockMeta? Write(string parent, string ulid, IEnumerable<(Labels Labels, IReadOnlyList<ChunkToWrite> Chunks)> seriesInOrder, int level, IReadOnlyList<string> sources, (long MinTime, long MaxTime)? range = null)
    {
        var tmp = Path.Combine(parent, ulid + ".tmp");
        var final = Path.Combine(parent, ulid);
        try
        {
            Directory.CreateDirectory(tmp);
            var series = new List<(Labels Labels, List<(long Min, long Max, long Offset, int Length)> Chunks)>();
            long samples = 0, chunkCount = 0, mint = long.MaxValue, maxt = long.MinValue;
            using (var chunks = new FileStream(Path.Combine(tmp, ChunksFile), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                chunks.Write(ChunksMagic);
                chunks.WriteByte(FormatVersion);
                var record = new ByteBuffer(1024);
                foreach (var (labels, seriesChunks) in seriesInOrder)
                {
                    if (seriesChunks.Count == 0)
                    {
                        continue;
                    }

                    var refs = new List<(long, long, long, int)>(seriesChunks.Count);
                    foreach (var chunk in seriesChunks)
                    {
                        record.Clear();
                        record.UVarint((ulong)chunk.Data.Count);
                        record.UVarint((ulong)chunk.Data.Bytes.Length);
                        record.Bytes(chunk.Data.Bytes);
                        record.UInt32(Crc32C.Compute(chunk.Data.Bytes));
                        refs.Add((chunk.MinTime, chunk.MaxTime, chunks.Position, record.Length));
                        chunks.Write(record.Span);
                        samples += chunk.Data.Count;
                        chunkCount++;
                        mint = Math.Min(mint, chunk.MinTime);
                        maxt = Math.Max(maxt, chunk.MaxTime);
                    }

                    series.Add((labels, refs));
                }

                chunks.Flush(flushToDisk: true);
            }

            if (series.Count == 0)
            {
                Directory.Delete(tmp, recursive: true);
                return null;
            }

            WriteIndex(Path.Combine(tmp, IndexFile), series);
            var meta = new BlockMeta(ulid, Math.Min(mint, range?.MinTime ?? mint), Math.Max(maxt + 1, range?.MaxTime ?? maxt + 1), new BlockStats(samples, series.Count, chunkCount), level, sources);
            using (var metaFile = new FileStream(Path.Combine(tmp, BlockMeta.FileName), FileMode.CreateNew, FileAccess.Write))
            {
                metaFile.Write(System.Text.Encoding.UTF8.GetBytes(meta.ToJson()));
                metaFile.Flush(flushToDisk: true);
            }

            Directory.Move(tmp, final);
            return meta;
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private static void WriteIndex(string path, List<(Labels Labels, List<(long Min, long Max, long Offset, int Length)> Chunks)> series)
    {
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        var postings = new SortedDictionary<(string Name, string Value), List<int>>(Comparer<(string Name, string Value)>.Create(
            static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : string.CompareOrdinal(a.Value, b.Value)));
        for (var id = 0; id < series.Count; id++)
        {
            foreach (var label in series[id].Labels.AsSpan())
            {
                symbols.Add(label.Name);
                symbols.Add(label.Value);
                if (!postings.TryGetValue((label.Name, label.Value), out var list))
                {
                    list = [];
                    postings[(label.Name, label.Value)] = list;
                }

                list.Add(id);
            }
        }

        var symbolRefs = new Dictionary<string, int>(StringComparer.Ordinal);
        var buffer = new ByteBuffer(1 << 16);
        buffer.Bytes(IndexMagic);
        buffer.Byte(FormatVersion);
        buffer.UVarint((ulong)symbols.Count);
        foreach (var symbol in symbols)
        {
            symbolRefs[symbol] = symbolRefs.Count;
            buffer.String(symbol);
        }

        buffer.UVarint((ulong)series.Count);
        foreach (var (labels, chunks) in series)
        {
            buffer.UVarint((ulong)labels.Count);
            foreach (var label in labels.AsSpan())
            {
                buffer.UVarint((ulong)symbolRefs[label.Name]);
                buffer.UVarint((ulong)symbolRefs[label.Value]);
            }

            buffer.UVarint((ulong)chunks.Count);
            foreach (var (min, max, offset, length) in chunks)
            {
                buffer.Varint(min);
                buffer.UVarint((ulong)(max - min));
                buffer.UVarint((ulong)offset);
                buffer.UVarint((ulong)length);
            }
        }

        buffer.UVarint((ulong)postings.Count);
        foreach (var ((name, value), ids) in postings)
        {
            buffer.UVarint((ulong)symbolRefs[name]);
            buffer.UVarint((ulong)symbolRefs[value]);
            buffer.UVarint((ulong)ids.Count);
            var previous = 0;
            foreach (var id in ids)
            {
                buffer.UVarint((ulong)(id - previous));
                previous = id;
            }
        }

        buffer.UInt32(Crc32C.Compute(buffer.Span));
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.Write(buffer.Span);
        file.Flush(flushToDisk: true);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the next open, which removes stray *.tmp directories.
        }
    }
}
