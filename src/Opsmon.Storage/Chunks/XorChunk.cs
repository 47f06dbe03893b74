using System.Numerics;

namespace Opsmon.Storage.Chunks;

/// <summary>
/// An appendable Gorilla-style chunk (Facebook's "Gorilla" paper, §4.1, as Prometheus's XOR chunk) with a
/// decimal mode for values. Timestamps are always delta-of-delta in variable-width buckets, so a regular
/// interval costs one bit. Values are stored one of two ways, chosen per chunk and recorded in its first byte:
/// <list type="bullet">
/// <item>decimal (first byte 1 + scale): while every value is exactly m / 10^scale for an integer m (counters,
/// byte counts, CPU seconds in hundredths, load averages), the delta of m in buckets; NaN, ±Inf, -0.0 and the
/// staleness marker are escaped with their raw bits;</item>
/// <item>XOR (first byte 0): the XOR with the previous value, storing only the meaningful bits.</item>
/// </list>
/// A value that does not fit the chunk's scale re-encodes the chunk (at most a few times per 120 samples) at a
/// finer scale, or as XOR when no scale up to <see cref="MaxScale"/> fits. Decimal mode is exact: a value
/// decodes to the very same bits.
/// </summary>
public sealed class XorChunk
{
    /// <summary>Samples per chunk before a new one is cut (Prometheus's target).</summary>
    public const int TargetSamples = 120;

    /// <summary>Finest decimal scale tried (values with at most this many decimal digits).</summary>
    public const int MaxScale = 6;

    private const int XorMode = -1;
    private const long MaxExact = 1L << 53;

    private static readonly double[] Pow10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];

    private BitWriter _writer;
    private int _scale = XorMode;
    private int _forcedScale = int.MinValue;
    private long _lastTimestamp;
    private long _lastDelta;
    private ulong _lastValueBits;
    private long _lastInteger;
    private int _leading = -1;
    private int _trailing;

    /// <param name="capacity">Initial buffer size in bytes; a head sizes it from the series' previous chunk so the buffer rarely grows.</param>
    public XorChunk(int capacity = 32) => _writer = new BitWriter(capacity);

    public int Count { get; private set; }

    public long MinTime { get; private set; }

    public long MaxTime { get; private set; }

    public int ByteCount => _writer.ByteCount;

    /// <summary>Whether values are stored as scaled decimal integers rather than XORs.</summary>
    public bool IsDecimal => _scale != XorMode;

    /// <summary>The encoded bit stream (without the sample count, which is stored beside it).</summary>
    public ReadOnlySpan<byte> Bytes => _writer.Buffer.AsSpan(0, _writer.ByteCount);

    /// <summary>Appends a sample; <paramref name="timestamp"/> must be after <see cref="MaxTime"/>.</summary>
    public void Append(long timestamp, double value)
    {
        if (Count > 0 && timestamp <= MaxTime)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, $"Timestamp must be after {MaxTime}.");
        }

        var bits = BitConverter.DoubleToUInt64Bits(value);
        if (Count == 0)
        {
            _scale = _forcedScale != int.MinValue ? _forcedScale : FindScale(value, 0);
            _writer.WriteBits((ulong)(_scale + 1), 8);
            _writer.WriteBits((ulong)timestamp, 64);
            if (_scale == XorMode || IsSpecial(value))
            {
                // A special first value in decimal mode is escaped like any other; the integer state starts at 0.
                _writer.WriteBits(bits, 64);
                _lastInteger = 0;
            }
            else
            {
                _lastInteger = ToInteger(value, _scale);
                _writer.WriteBits((ulong)_lastInteger, 64);
            }

            if (_scale != XorMode)
            {
                _writer.WriteBit(IsSpecial(value));
            }

            MinTime = timestamp;
            Remember(timestamp, bits);
            return;
        }

        long integer = 0;
        if (_scale != XorMode && !IsSpecial(value) && !TryInteger(value, _scale, out integer))
        {
            Reencode(FindScale(value, _scale + 1));
            Append(timestamp, value);
            return;
        }

        var delta = timestamp - _lastTimestamp;
        WriteDod(Count == 1 ? delta : delta - _lastDelta);
        _lastDelta = delta;
        if (_scale == XorMode)
        {
            WriteXor(bits);
        }
        else if (IsSpecial(value))
        {
            _writer.WriteBits(0b111111, 6);
            _writer.WriteBits(bits, 64);
        }
        else
        {
            WriteIntegerDelta(integer - _lastInteger);
            _lastInteger = integer;
        }

        Remember(timestamp, bits);
    }

    /// <summary>An iterator over the first <see cref="Count"/> samples as of now; later appends do not disturb it.</summary>
    public ChunkIterator Iterator() => new(_writer.Buffer, 0, Count);

    /// <summary>A copy of the encoded bytes, for writing into a block.</summary>
    public byte[] ToArray() => Bytes.ToArray();

    internal static bool IsSpecial(double value) =>
        !double.IsFinite(value) || BitConverter.DoubleToUInt64Bits(value) == BitConverter.DoubleToUInt64Bits(-0.0);

    internal static double FromInteger(long integer, int scale) => integer / Pow10[scale];

    private static long ToInteger(double value, int scale) => (long)Math.Round(value * Pow10[scale]);

    /// <summary>Whether <paramref name="value"/> is exactly integer / 10^scale with the integer below 2^53.</summary>
    private static bool TryInteger(double value, int scale, out long integer)
    {
        var scaled = Math.Round(value * Pow10[scale]);
        integer = 0;
        if (!(Math.Abs(scaled) < MaxExact))
        {
            return false;
        }

        integer = (long)scaled;
        return BitConverter.DoubleToUInt64Bits(integer / Pow10[scale]) == BitConverter.DoubleToUInt64Bits(value);
    }

    private static int FindScale(double value, int from)
    {
        if (IsSpecial(value))
        {
            return Math.Max(from, 0);
        }

        for (var scale = from; scale <= MaxScale; scale++)
        {
            if (TryInteger(value, scale, out _))
            {
                return scale;
            }
        }

        return XorMode;
    }

    private void Remember(long timestamp, ulong bits)
    {
        _lastTimestamp = timestamp;
        _lastValueBits = bits;
        MaxTime = timestamp;
        Count++;
    }

    /// <summary>Rewrites the chunk at another scale (or as XOR); earlier values stay exact at a finer scale.</summary>
    private void Reencode(int scale)
    {
        var samples = new List<(long, double)>(Count + 1);
        var it = Iterator();
        while (it.MoveNext())
        {
            samples.Add((it.Timestamp, it.Value));
        }

        if (scale != XorMode && !samples.TrueForAll(s => IsSpecial(s.Item2) || TryInteger(s.Item2, scale, out _)))
        {
            scale = XorMode;
        }

        _writer = new BitWriter(_writer.Buffer.Length);
        Count = 0;
        _leading = -1;
        _trailing = 0;
        _forcedScale = scale;
        foreach (var (t, v) in samples)
        {
            Append(t, v);
        }

        _forcedScale = int.MinValue;
    }

    private void WriteDod(long dod)
    {
        // Prometheus's buckets (14, 17, 20 bits) with a 7-bit one in front: a scrape a few milliseconds late costs
        // 9 bits instead of 16.
        if (dod == 0)
        {
            _writer.WriteBit(false);
        }
        else if (Fits(dod, 7))
        {
            _writer.WriteBits(0b10, 2);
            _writer.WriteBits((ulong)dod, 7);
        }
        else if (Fits(dod, 14))
        {
            _writer.WriteBits(0b110, 3);
            _writer.WriteBits((ulong)dod, 14);
        }
        else if (Fits(dod, 20))
        {
            _writer.WriteBits(0b1110, 4);
            _writer.WriteBits((ulong)dod, 20);
        }
        else
        {
            _writer.WriteBits(0b1111, 4);
            _writer.WriteBits((ulong)dod, 64);
        }
    }

    private void WriteIntegerDelta(long delta)
    {
        // Prefixes 0, 10, 110, 1110, 11110, 111110 then 0/6/13/20/33/64 bits; 111111 escapes a special value.
        if (delta == 0)
        {
            _writer.WriteBit(false);
        }
        else if (Fits(delta, 6))
        {
            _writer.WriteBits(0b10, 2);
            _writer.WriteBits((ulong)delta, 6);
        }
        else if (Fits(delta, 13))
        {
            _writer.WriteBits(0b110, 3);
            _writer.WriteBits((ulong)delta, 13);
        }
        else if (Fits(delta, 20))
        {
            _writer.WriteBits(0b1110, 4);
            _writer.WriteBits((ulong)delta, 20);
        }
        else if (Fits(delta, 33))
        {
            _writer.WriteBits(0b11110, 5);
            _writer.WriteBits((ulong)delta, 33);
        }
        else
        {
            _writer.WriteBits(0b111110, 6);
            _writer.WriteBits((ulong)delta, 64);
        }
    }

    private static bool Fits(long value, int bits) => value >= -(1L << (bits - 1)) && value < (1L << (bits - 1));

    private void WriteXor(ulong bits)
    {
        var xor = bits ^ _lastValueBits;
        if (xor == 0)
        {
            _writer.WriteBit(false);
            return;
        }

        _writer.WriteBit(true);
        var leading = Math.Min(BitOperations.LeadingZeroCount(xor), 31);
        var trailing = BitOperations.TrailingZeroCount(xor);
        if (_leading >= 0 && leading >= _leading && trailing >= _trailing)
        {
            _writer.WriteBit(false);
            _writer.WriteBits(xor >> _trailing, 64 - _leading - _trailing);
            return;
        }

        _leading = leading;
        _trailing = trailing;
        var significant = 64 - leading - trailing;
        _writer.WriteBit(true);
        _writer.WriteBits((ulong)leading, 5);
        // 64 significant bits do not fit in 6 bits; 0 stands for 64 since a zero XOR never gets here.
        _writer.WriteBits((ulong)(significant & 63), 6);
        _writer.WriteBits(xor >> trailing, significant);
    }
}
