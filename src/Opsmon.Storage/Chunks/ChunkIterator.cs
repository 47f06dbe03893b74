using System.Runtime.CompilerServices;
using Opsmon.Core.Series;

namespace Opsmon.Storage.Chunks;

/// <summary>
/// Decodes a chunk by its first byte: a <see cref="PackedChunk"/> (sealed, in blocks) or an <see cref="XorChunk"/>
/// bit stream (the head, and blocks written before format version 2); allocates nothing per sample.
/// </summary>
public sealed class ChunkIterator : ISampleIterator
{
    private const int XorMode = -1;

    private readonly byte[] _buffer;
    private readonly int _start;
    private BitReader _reader;
    private readonly int _count;
    private bool _packed;
    private byte _mode;
    private int _timestampWidth;
    private long _timestampCenter;
    private int _valueWidth;
    private long _valueCenter;
    private long _first;
    private long _divisor;
    private long _integerDelta;
    private int _nextSpecial = -1;
    private ulong _nextSpecialBits;
    private int _specialsLeft;
    private int _specialOffset;
    private int _index;
    private int _scale;
    private long _delta;
    private long _integer;
    private ulong _valueBits;
    private int _leading;
    private int _trailing;

    internal ChunkIterator(byte[] buffer, int startByte, int count)
    {
        _buffer = buffer;
        _start = startByte;
        _reader = new BitReader(buffer, startByte);
        _count = count;
    }

    public long Timestamp { get; private set; }

    public double Value => BitConverter.UInt64BitsToDouble(_valueBits);

    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        if (_index == 0 && _buffer[_start] == PackedChunk.Encoding)
        {
            ReadPackedHeader();
            _packed = true;
            _index++;
            return true;
        }

        if (_packed)
        {
            MovePacked();
            _index++;
            return true;
        }

        if (_index == 0)
        {
            _scale = (int)_reader.ReadBits(8) - 1;
            if (_scale > XorChunk.MaxScale)
            {
                throw new InvalidDataException($"Unknown chunk encoding {_scale + 1}.");
            }

            Timestamp = (long)_reader.ReadBits(64);
            var raw = _reader.ReadBits(64);
            if (_scale == XorMode || _reader.ReadBit())
            {
                _valueBits = raw;
            }
            else
            {
                _integer = (long)raw;
                _valueBits = BitConverter.DoubleToUInt64Bits(XorChunk.FromInteger(_integer, _scale));
            }
        }
        else
        {
            MoveXor();
        }

        _index++;
        return true;
    }

    /// <summary>Decodes up to as many samples as the spans hold in one loop; 0 once the chunk is exhausted.</summary>
    // Per-sample loops: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Read(Span<long> timestamps, Span<double> values)
    {
        var capacity = Math.Min(timestamps.Length, values.Length);
        var n = 0;
        if (_index == 0 && n < capacity && MoveNext())
        {
            (timestamps[n], values[n]) = (Timestamp, Value);
            n++;
        }

        var available = Math.Min(capacity - n, _count - _index);
        if (available <= 0)
        {
            return n;
        }

        var end = n + available;
        if (_packed)
        {
            for (; n < end; n++)
            {
                MovePacked();
                _index++;
                (timestamps[n], values[n]) = (Timestamp, Value);
            }

            return n;
        }

        for (; n < end; n++)
        {
            MoveXor();
            _index++;
            (timestamps[n], values[n]) = (Timestamp, Value);
        }

        return n;
    }

    /// <summary>Decodes the next sample of a head (XOR or scaled-integer) chunk after its first; MoveNext and Read share it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MoveXor()
    {
        var dod = ReadDod();
        _delta = _index == 1 ? dod : _delta + dod;
        Timestamp += _delta;
        if (_scale == XorMode)
        {
            ReadXor();
        }
        else
        {
            ReadInteger();
        }
    }

    private void ReadPackedHeader()
    {
        var header = new ByteDecoder(_buffer.AsSpan(_start + 1));
        _mode = header.Byte();
        _scale = header.Byte();
        if (_mode > PackedChunk.DoubleDeltaValues || !PackedChunk.IsValidScale(_scale))
        {
            throw new InvalidDataException($"Unknown packed chunk value mode {_mode} or scale {_scale}.");
        }

        Timestamp = header.Varint();
        if (_count > 1)
        {
            _delta = header.Varint();
            _timestampCenter = header.Varint();
            _timestampWidth = header.Byte();
        }

        if (_mode == PackedChunk.XorValues)
        {
            _scale = XorMode;
            _valueBits = BitConverter.DoubleToUInt64Bits(header.Double());
        }
        else
        {
            _first = header.Varint();
            _divisor = (long)header.UVarint();
            _integerDelta = _mode == PackedChunk.DoubleDeltaValues ? header.Varint() : 0;
            _valueCenter = header.Varint();
            _valueWidth = header.Byte();
            _specialsLeft = header.Int();
            _specialOffset = _start + 1 + header.Position;
            for (var i = 0; i < _specialsLeft; i++)
            {
                header.UVarint();
                header.Double();
            }

            _integer = 0;
            NextSpecial(0);
            _valueBits = TakeSpecial() ?? BitConverter.DoubleToUInt64Bits(PackedChunk.FromInteger(_first, _scale));
        }

        _reader = new BitReader(_buffer, _start + 1 + header.Position);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MovePacked()
    {
        if (_index >= 2)
        {
            _delta += ReadField(_timestampWidth, _timestampCenter);
        }

        Timestamp += _delta;
        if (_scale == XorMode)
        {
            ReadXor();
            return;
        }

        if (_mode == PackedChunk.DeltaValues)
        {
            _integer += ReadField(_valueWidth, _valueCenter);
        }
        else
        {
            if (_index >= 2)
            {
                _integerDelta += ReadField(_valueWidth, _valueCenter);
            }

            _integer += _integerDelta;
        }

        _valueBits = TakeSpecial() ?? BitConverter.DoubleToUInt64Bits(PackedChunk.FromInteger(_first + (_divisor * _integer), _scale));
    }

    /// <summary>The raw bits of the special value at the current sample, if there is one there.</summary>
    private ulong? TakeSpecial()
    {
        if (_index != _nextSpecial)
        {
            return null;
        }

        var bits = _nextSpecialBits;
        NextSpecial(_nextSpecial);
        return bits;
    }

    private void NextSpecial(int from)
    {
        if (_specialsLeft == 0)
        {
            _nextSpecial = -1;
            return;
        }

        var entry = new ByteDecoder(_buffer.AsSpan(_specialOffset));
        _nextSpecial = from + entry.Int();
        _nextSpecialBits = BitConverter.DoubleToUInt64Bits(entry.Double());
        _specialOffset += entry.Position;
        _specialsLeft--;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long ReadField(int width, long center)
    {
        if (width == 0)
        {
            return center;
        }

        var z = _reader.ReadBits(width);
        var escape = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        if (z == escape)
        {
            z = _reader.ReadBits((int)_reader.ReadBits(6) + 1);
        }

        return PackedChunk.UnZigZag(z) + center;
    }

    private long ReadDod()
    {
        if (!_reader.ReadBit())
        {
            return 0;
        }

        int bits;
        if (!_reader.ReadBit())
        {
            bits = 7;
        }
        else if (!_reader.ReadBit())
        {
            bits = 14;
        }
        else if (!_reader.ReadBit())
        {
            bits = 20;
        }
        else
        {
            return (long)_reader.ReadBits(64);
        }

        return SignExtend(_reader.ReadBits(bits), bits);
    }

    private void ReadInteger()
    {
        // Count leading ones of the prefix (at most six): 0 → same, 1..5 → delta widths, 6 → escaped raw value.
        var ones = 0;
        while (ones < 6 && _reader.ReadBit())
        {
            ones++;
        }

        switch (ones)
        {
            case 0:
                break;
            case 6:
                // A special value (NaN, ±Inf, -0.0, stale marker); the integer state is unchanged.
                _valueBits = _reader.ReadBits(64);
                return;
            case 5:
                _integer += (long)_reader.ReadBits(64);
                break;
            default:
                var width = ones switch { 1 => 6, 2 => 13, 3 => 20, _ => 33 };
                _integer += SignExtend(_reader.ReadBits(width), width);
                break;
        }

        _valueBits = BitConverter.DoubleToUInt64Bits(XorChunk.FromInteger(_integer, _scale));
    }

    private static long SignExtend(ulong raw, int bits)
    {
        var shift = 64 - bits;
        return ((long)raw << shift) >> shift;
    }

    private void ReadXor()
    {
        if (!_reader.ReadBit())
        {
            return;
        }

        if (_reader.ReadBit())
        {
            _leading = (int)_reader.ReadBits(5);
            var significant = (int)_reader.ReadBits(6);
            if (significant == 0)
            {
                significant = 64;
            }

            _trailing = 64 - _leading - significant;
        }

        var width = 64 - _leading - _trailing;
        _valueBits ^= _reader.ReadBits(width) << _trailing;
    }
}
