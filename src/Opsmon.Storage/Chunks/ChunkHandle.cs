namespace Opsmon.Storage.Chunks;

/// <summary>A chunk a query may read: its time span and a way to decode it (from memory or from a block file).</summary>
internal abstract class ChunkHandle(long minTime, long maxTime)
{
    public long MinTime { get; } = minTime;

    public long MaxTime { get; } = maxTime;

    /// <summary>An iterator over the chunk, or null when it cannot be read (corrupt on disk).</summary>
    public abstract ChunkIterator? Open();
}

/// <summary>A head chunk as of the moment the query saw it: the buffer and how many samples it held then.</summary>
internal sealed class MemChunkHandle(byte[] buffer, int count, long minTime, long maxTime) : ChunkHandle(minTime, maxTime)
{
    public override ChunkIterator? Open() => new(buffer, 0, count);
}
