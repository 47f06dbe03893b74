using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Opsmon.Storage;

/// <summary>CRC-32C (Castagnoli), the checksum the WAL and block files use; hardware-accelerated where available.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}

/// <summary>A growable byte buffer with varint and string encoders for the WAL and block formats.</summary>
internal sealed class ByteBuffer(int capacity = 256)
{
    private byte[] _buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void SetByte(int index, byte value) => _buffer[index] = value;

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void UVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[Length++] = (byte)value;
    }

    public void Varint(long value) => UVarint((ulong)((value << 1) ^ (value >> 63)));

    public void UInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void Double(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(Length), BitConverter.DoubleToUInt64Bits(value));
        Length += 8;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    public void String(string value)
    {
        var count = System.Text.Encoding.UTF8.GetByteCount(value);
        UVarint((ulong)count);
        Ensure(count);
        Length += System.Text.Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
    }

    private void Ensure(int extra)
    {
        if (Length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(Length + extra, _buffer.Length * 2));
        }
    }
}

/// <summary>Reads what <see cref="ByteBuffer"/> writes; throws <see cref="InvalidDataException"/> on malformed input.</summary>
internal ref struct ByteDecoder(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; set; }

    public readonly bool End => Position >= _data.Length;

    public byte Byte()
    {
        Need(1);
        return _data[Position++];
    }

    public ulong UVarint()
    {
        var result = 0UL;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("Varint too long.");
    }

    public int Int()
    {
        var value = UVarint();
        return value > int.MaxValue ? throw new InvalidDataException($"Count {value} out of range.") : (int)value;
    }

    public long Varint()
    {
        var raw = UVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public uint UInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]);
        Position += 4;
        return value;
    }

    public double Double()
    {
        Need(8);
        var value = BitConverter.UInt64BitsToDouble(BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]));
        Position += 8;
        return value;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        Need(count);
        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    public string String() => Encoding.UTF8.GetString(Bytes(Int()));

    private readonly void Need(int count)
    {
        if (count < 0 || Position + count > _data.Length)
        {
            throw new InvalidDataException($"Unexpected end of data at offset {Position}.");
        }
    }
}
