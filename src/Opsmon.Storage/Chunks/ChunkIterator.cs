using Opsmon.Core.Series;

namespace Opsmon.Storage.Chunks;

/// <summary>Decodes an <see cref="XorChunk"/> bit stream; allocates nothing per sample.</summary>
public sealed class ChunkIterator : ISampleIterator
{
    private const int XorMode = -1;

    private BitReader _reader;
    private readonly int _count;
    private int _index;
    private int _scale;
    private long _delta;
    private long _integer;
    private ulong _valueBits;
    private int _leading;
    private int _trailing;

    internal ChunkIterator(byte[] buffer, int startByte, int count)
    {
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

        if (_index == 0)
        {
            _scale = (int)_reader.ReadBits(8) - 1;
            if (_scale > XorChunk.MaxScale)
            {
                throw new InvalidDataException($"Unknown chunk value scale {_scale}.");
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

        _index++;
        return true;
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
