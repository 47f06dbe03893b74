namespace Opsmon.Storage.Chunks;

/// <summary>
/// Appends bits most-significant first. Bits already written are only ever OR-ed into, never rewritten,
/// and a grown buffer is a fresh copy, so a reader holding an older buffer sees a stable prefix.
/// </summary>
internal sealed class BitWriter
{
    private byte[] _buffer;
    private int _bitCount;

    public BitWriter(int capacity = 32) => _buffer = new byte[Math.Max(capacity, 8)];

    public byte[] Buffer => _buffer;

    public int BitCount => _bitCount;

    public int ByteCount => (_bitCount + 7) >> 3;

    public void WriteBit(bool bit) => WriteBits(bit ? 1UL : 0UL, 1);

    public void WriteBits(ulong value, int count)
    {
        var needed = (_bitCount + count + 7) >> 3;
        if (needed > _buffer.Length)
        {
            var grown = new byte[Math.Max(needed, _buffer.Length * 2)];
            _buffer.AsSpan(0, ByteCount).CopyTo(grown);
            _buffer = grown;
        }

        while (count > 0)
        {
            var free = 8 - (_bitCount & 7);
            var take = Math.Min(free, count);
            var bits = (int)((value >> (count - take)) & ((1UL << take) - 1));
            _buffer[_bitCount >> 3] |= (byte)(bits << (free - take));
            count -= take;
            _bitCount += take;
        }
    }
}
