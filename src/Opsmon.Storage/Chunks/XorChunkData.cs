namespace Opsmon.Storage.Chunks;

/// <summary>An encoded, closed chunk: its bit stream and sample count.</summary>
internal sealed record XorChunkData(byte[] Bytes, int Count)
{
    public ChunkIterator Iterator() => new(Bytes, 0, Count);
}
