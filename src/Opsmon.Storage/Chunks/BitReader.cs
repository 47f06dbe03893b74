using System.Buffers.Binary;

namespace Opsmon.Storage.Chunks;

/// <summary>Reads bits most-significant first from a byte array; a mutable struct held in a field of its iterator.</summary>
internal struct BitReader(byte[] buffer, int startByte)
{
    private readonly byte[] _buffer = buffer;
    private int _position = startByte * 8;

    public bool ReadBit()
    {
        var bit = (_buffer[_position >> 3] >> (7 - (_position & 7))) & 1;
        _position++;
        return bit != 0;
    }

    public ulong ReadBits(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        var index = _position >> 3;
        if (count <= 56 && index + 8 <= _buffer.Length)
        {
            // One unaligned big-endian load covers any 56 bits from any bit offset.
            var word = BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(index));
            var bits = (word << (_position & 7)) >> (64 - count);
            _position += count;
            return bits;
        }

        var value = 0UL;
        while (count > 0)
        {
            var available = 8 - (_position & 7);
            var take = Math.Min(available, count);
            var bits = (ulong)((_buffer[_position >> 3] >> (available - take)) & ((1 << take) - 1));
            value = (value << take) | bits;
            count -= take;
            _position += take;
        }

        return value;
    }
}
