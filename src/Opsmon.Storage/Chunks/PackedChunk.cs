using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Opsmon.Storage.Chunks;

/// <summary>
/// The encoding of sealed chunks in blocks (chunk encoding byte <see cref="Encoding"/>), written once from all of
/// a chunk's samples, so it can choose its parameters knowing them (VictoriaMetrics's approach, with bit packing
/// instead of a general-purpose compressor). Layout, after the encoding byte (varints LEB128, signed ones zigzag):
/// <list type="bullet">
/// <item>value mode byte (0 XOR, 1 integer deltas, 2 integer deltas of deltas), decimal scale byte;</item>
/// <item>first timestamp; when there are two samples or more, the first delta and the timestamp field (center
/// varint, width byte) for the deltas of deltas;</item>
/// <item>integer modes: the values are m / 10^scale for integers m (the scale is the smallest that fits every value
/// exactly), or, for scale byte 16 + s, m times the double nearest 10^-s (values computed as <c>ticks * 0.01</c>,
/// which are not the decimals they print as); m of the first sample, uvarint g (the greatest common divisor of m - m0, so byte counts in pages or
/// kB cost nothing for their unit), for mode 2 the first delta of k = (m - m0) / g, the value field (center, width);
/// then the special values (NaN, ±Inf, -0.0, the staleness marker): uvarint count, per value the uvarint index gap
/// and the raw 64 bits little-endian (in k they repeat the previous sample's);</item>
/// <item>XOR mode: the first value's raw 64 bits, little-endian;</item>
/// <item>a bit stream, most significant bit first, per sample after the first: the timestamp's delta of delta
/// (from the third sample on) as a field, then the value: in integer modes the delta (mode 1) or delta of delta
/// (mode 2, from the third sample on) of k as a field, in XOR mode Gorilla's XOR encoding.</item>
/// </list>
/// A field (center c, width w) holds a residual r as z = zigzag(r - c): in w bits when z &lt; 2^w - 1, otherwise
/// w one-bits, 6 bits of (bit length of z - 1) and the bits of z. Width 0 means every r is c (an aligned interval,
/// a constant rate). The encoder picks the mode, center and width that make the chunk smallest. Everything decodes
/// to the very same bits.
/// </summary>
internal static class PackedChunk
{
    /// <summary>The chunk encoding byte (legacy <see cref="XorChunk"/> streams start with 0…7).</summary>
    public const byte Encoding = 0x10;

    /// <summary>Samples per sealed chunk: large enough that per-chunk headers and index entries cost ~nothing.</summary>
    public const int TargetSamples = 1024;

    internal const byte XorValues = 0;
    internal const byte DeltaValues = 1;
    internal const byte DoubleDeltaValues = 2;

    private static readonly double[] Pow10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
    private static readonly double[] NegativePow10 = [1, 0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6];

    /// <summary>Encodes samples (timestamps strictly increasing) into a new chunk.</summary>
    public static byte[] Encode(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values)
    {
        var n = timestamps.Length;
        if (n == 0 || values.Length != n)
        {
            throw new ArgumentException("A chunk needs one value per timestamp and at least one sample.", nameof(values));
        }

        var scratch = ArrayPool<long>.Shared.Rent(n * 3);
        try
        {
            var output = new ByteBuffer(64 + (n * 2));
            var integers = scratch.AsSpan(0, n);
            var residuals = scratch.AsSpan(n, n * 2);
            var scale = DecimalScale(values, integers);
            output.Byte(Encoding);
            output.Byte(scale < 0 ? XorValues : DeltaValues);
            output.Byte((byte)Math.Max(scale, 0));
            output.Varint(timestamps[0]);
            var timestampField = default(Field);
            if (n > 1)
            {
                output.Varint(timestamps[1] - timestamps[0]);
                var dods = residuals[..(n - 2)];
                for (var i = 2; i < n; i++)
                {
                    dods[i - 2] = (timestamps[i] - timestamps[i - 1]) - (timestamps[i - 1] - timestamps[i - 2]);
                }

                timestampField = Field.Plan(dods, residuals[n..]);
                output.Varint(timestampField.Center);
                output.Byte((byte)timestampField.Width);
            }

            if (scale < 0)
            {
                WriteXor(output, timestamps, values, timestampField);
            }
            else
            {
                WriteIntegers(output, timestamps, values, integers, residuals, scale, timestampField);
            }

            return output.Span.ToArray();
        }
        finally
        {
            ArrayPool<long>.Shared.Return(scratch);
        }
    }

    /// <summary>Scale codes from this one up are "times 10^-(code - MultipliedScale)" rather than "over 10^code".</summary>
    internal const int MultipliedScale = 16;

    internal static double FromInteger(long integer, int scale) =>
        scale < MultipliedScale ? integer / Pow10[scale] : integer * NegativePow10[scale - MultipliedScale];

    internal static bool IsValidScale(int scale) =>
        scale is >= 0 and <= XorChunk.MaxScale || scale is > MultipliedScale and <= MultipliedScale + XorChunk.MaxScale;

    internal static long ZigZag(long value) => (value << 1) ^ (value >> 63);

    internal static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>
    /// A scale at which every non-special value is exactly m / 10^scale (the smallest), or else exactly m times
    /// the double nearest 10^-s (what <c>ticks * 0.01</c> computes, as exporters do), with m below 2^53; the m go to
    /// <paramref name="integers"/> (a special value repeats the previous m). -1 when there is none.
    /// </summary>
    private static int DecimalScale(ReadOnlySpan<double> values, Span<long> integers)
    {
        var scale = 0;
        foreach (var value in values)
        {
            if (XorChunk.IsSpecial(value))
            {
                continue;
            }

            while (scale <= XorChunk.MaxScale && !TryInteger(value, scale, out _))
            {
                scale++;
            }

            if (scale > XorChunk.MaxScale)
            {
                break;
            }
        }

        if (scale <= XorChunk.MaxScale && TryIntegers(values, integers, scale))
        {
            return scale;
        }

        for (var multiplied = MultipliedScale + 1; multiplied <= MultipliedScale + XorChunk.MaxScale; multiplied++)
        {
            if (TryIntegers(values, integers, multiplied))
            {
                return multiplied;
            }
        }

        return -1;
    }

    private static bool TryIntegers(ReadOnlySpan<double> values, Span<long> integers, int scale)
    {
        long previous = 0;
        var seen = false;
        for (var i = 0; i < values.Length; i++)
        {
            if (XorChunk.IsSpecial(values[i]))
            {
                integers[i] = previous;
                continue;
            }

            if (!TryInteger(values[i], scale, out var integer))
            {
                return false;
            }

            if (!seen)
            {
                // Leading special values take the first real m, so they add no delta.
                integers[..i].Fill(integer);
                seen = true;
            }

            integers[i] = previous = integer;
        }

        return true;
    }

    private static bool TryInteger(double value, int scale, out long integer)
    {
        var scaled = Math.Round(scale < MultipliedScale ? value * Pow10[scale] : value / NegativePow10[scale - MultipliedScale]);
        integer = 0;
        if (!(Math.Abs(scaled) < (1L << 53)))
        {
            return false;
        }

        integer = (long)scaled;
        return BitConverter.DoubleToUInt64Bits(FromInteger(integer, scale)) == BitConverter.DoubleToUInt64Bits(value);
    }

    private static void WriteIntegers(ByteBuffer output, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values, Span<long> integers, Span<long> residuals, int scale, Field timestampField)
    {
        var n = values.Length;
        var first = integers[0];
        ulong divisor = 0;
        for (var i = 1; i < n; i++)
        {
            divisor = Gcd(divisor, (ulong)Math.Abs(integers[i] - first));
        }

        divisor = Math.Max(divisor, 1);
        for (var i = 0; i < n; i++)
        {
            integers[i] = (integers[i] - first) / (long)divisor;
        }

        // First order (gauges, irregular counters) or second order (counters at a steady rate), whichever is smaller.
        var deltas = residuals[..Math.Max(n - 1, 0)];
        for (var i = 1; i < n; i++)
        {
            deltas[i - 1] = integers[i] - integers[i - 1];
        }

        var field = Field.Plan(deltas, residuals[n..]);
        var mode = DeltaValues;
        long firstDelta = 0;
        if (n > 2)
        {
            firstDelta = integers[1] - integers[0];
            var doubleDeltas = residuals[..(n - 2)];
            for (var i = 2; i < n; i++)
            {
                doubleDeltas[i - 2] = (integers[i] - integers[i - 1]) - (integers[i - 1] - integers[i - 2]);
            }

            var second = Field.Plan(doubleDeltas, residuals[n..]);
            if (second.Bits + (VarintBytes(ZigZag(firstDelta)) * 8) < field.Bits)
            {
                mode = DoubleDeltaValues;
                field = second;
            }
        }

        output.SetByte(1, mode);
        output.Varint(first);
        output.UVarint(divisor);
        if (mode == DoubleDeltaValues)
        {
            output.Varint(firstDelta);
        }

        output.Varint(field.Center);
        output.Byte((byte)field.Width);
        var specials = 0;
        foreach (var value in values)
        {
            specials += XorChunk.IsSpecial(value) ? 1 : 0;
        }

        output.UVarint((ulong)specials);
        var last = 0;
        for (var i = 0; i < n && specials > 0; i++)
        {
            if (XorChunk.IsSpecial(values[i]))
            {
                output.UVarint((ulong)(i - last));
                output.Double(values[i]);
                last = i;
            }
        }

        var bits = new BitPacker(output);
        for (var i = 1; i < n; i++)
        {
            if (i >= 2)
            {
                timestampField.Write(ref bits, (timestamps[i] - timestamps[i - 1]) - (timestamps[i - 1] - timestamps[i - 2]));
            }

            if (mode == DeltaValues)
            {
                field.Write(ref bits, integers[i] - integers[i - 1]);
            }
            else if (i >= 2)
            {
                field.Write(ref bits, (integers[i] - integers[i - 1]) - (integers[i - 1] - integers[i - 2]));
            }
        }

        bits.Finish();
    }

    private static void WriteXor(ByteBuffer output, ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values, Field timestampField)
    {
        output.Double(values[0]);
        var bits = new BitPacker(output);
        var previous = BitConverter.DoubleToUInt64Bits(values[0]);
        var leading = -1;
        var trailing = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (i >= 2)
            {
                timestampField.Write(ref bits, (timestamps[i] - timestamps[i - 1]) - (timestamps[i - 1] - timestamps[i - 2]));
            }

            var current = BitConverter.DoubleToUInt64Bits(values[i]);
            var xor = current ^ previous;
            previous = current;
            if (xor == 0)
            {
                bits.Write(0, 1);
                continue;
            }

            var lz = Math.Min(BitOperations.LeadingZeroCount(xor), 31);
            var tz = BitOperations.TrailingZeroCount(xor);
            if (leading >= 0 && lz >= leading && tz >= trailing)
            {
                bits.Write(0b10, 2);
                bits.Write(xor >> trailing, 64 - leading - trailing);
                continue;
            }

            leading = lz;
            trailing = tz;
            var significant = 64 - lz - tz;
            bits.Write(0b11, 2);
            bits.Write((ulong)lz, 5);
            // 64 significant bits do not fit in 6 bits; 0 stands for 64 since a zero XOR never gets here.
            bits.Write((ulong)(significant & 63), 6);
            bits.Write(xor >> tz, significant);
        }

        bits.Finish();
    }

    /// <summary>
    /// How a stream of residuals is written: each as the zigzag of (residual - center) in a field of
    /// <see cref="Width"/> bits, escaped when it does not fit. Centering a stream of non-negative deltas (a counter)
    /// saves the sign bit zigzag alone would spend. Arithmetic wraps, so any residual round-trips.
    /// </summary>
    private readonly record struct Field(long Center, int Width, long Bits)
    {
        /// <summary>The center and width that make <paramref name="residuals"/> smallest (scratch as long as they).</summary>
        public static Field Plan(ReadOnlySpan<long> residuals, Span<long> scratch)
        {
            if (residuals.IsEmpty)
            {
                return default;
            }

            long min = long.MaxValue, secondMin = long.MaxValue, max = long.MinValue, secondMax = long.MinValue;
            foreach (var r in residuals)
            {
                if (r < min)
                {
                    (secondMin, min) = (min, r);
                }
                else if (r < secondMin)
                {
                    secondMin = r;
                }

                if (r > max)
                {
                    (secondMax, max) = (max, r);
                }
                else if (r > secondMax)
                {
                    secondMax = r;
                }
            }

            // The middle of the range, and of the range without its extremes (one counter reset, one late sample).
            var best = Evaluate(residuals, scratch, 0);
            foreach (var center in (ReadOnlySpan<long>)[Middle(min, max), Middle(Math.Min(secondMin, max), Math.Max(secondMax, min))])
            {
                var candidate = Evaluate(residuals, scratch, center);
                if (candidate.Bits < best.Bits)
                {
                    best = candidate;
                }
            }

            return best;
        }

        public void Write(ref BitPacker bits, long residual)
        {
            if (Width == 0)
            {
                return;
            }

            var z = (ulong)ZigZag(residual - Center);
            var escape = Width == 64 ? ulong.MaxValue : (1UL << Width) - 1;
            if (z < escape)
            {
                bits.Write(z, Width);
                return;
            }

            var length = 64 - BitOperations.LeadingZeroCount(z);
            bits.Write(escape, Width);
            bits.Write((ulong)(length - 1), 6);
            bits.Write(z, length);
        }

        private static Field Evaluate(ReadOnlySpan<long> residuals, Span<long> scratch, long center)
        {
            for (var i = 0; i < residuals.Length; i++)
            {
                scratch[i] = ZigZag(residuals[i] - center);
            }

            var width = BestWidth(scratch[..residuals.Length], out var bits);
            return new Field(center, width, bits + (VarintBytes(ZigZag(center)) * 8));
        }

        private static long Middle(long a, long b) => (a >> 1) + (b >> 1) + (a & b & 1);
    }

    /// <summary>The field width that minimises the encoded size of <paramref name="zigzags"/>, and that size in bits.</summary>
    internal static int BestWidth(ReadOnlySpan<long> zigzags, out long bits)
    {
        Span<int> byLength = stackalloc int[65];
        foreach (var z in zigzags)
        {
            byLength[64 - BitOperations.LeadingZeroCount((ulong)z)]++;
        }

        if (byLength[0] == zigzags.Length)
        {
            bits = 0;
            return 0;
        }

        // A field of width w holds values of bit length <= w (bar the all-ones escape, ignored here); longer ones
        // pay the escape, 6 bits of length and their bits.
        long escaped = 0;
        for (var length = 1; length <= 64; length++)
        {
            escaped += (long)byLength[length] * (6 + length);
        }

        var best = 64;
        bits = long.MaxValue;
        for (var width = 1; width <= 64; width++)
        {
            escaped -= (long)byLength[width] * (6 + width);
            var cost = ((long)zigzags.Length * width) + escaped;
            if (cost < bits)
            {
                bits = cost;
                best = width;
            }
        }

        return best;
    }

    private static int VarintBytes(long zigzag)
    {
        var length = 64 - BitOperations.LeadingZeroCount((ulong)zigzag);
        return Math.Max(1, (length + 6) / 7);
    }

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>Collects bits most-significant first in a 64-bit register and appends them to a byte buffer.</summary>
    internal ref struct BitPacker(ByteBuffer output)
    {
        private ulong _register;
        private int _count;

        public void Write(ulong value, int count)
        {
            if (count == 0)
            {
                return;
            }

            if (count < 64)
            {
                value &= (1UL << count) - 1;
            }

            var free = 64 - _count;
            if (count < free)
            {
                _register |= value << (free - count);
                _count += count;
                return;
            }

            var rest = count - free;
            _register |= value >> rest;
            Span<byte> word = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(word, _register);
            output.Bytes(word);
            _register = rest == 0 ? 0 : value << (64 - rest);
            _count = rest;
        }

        public readonly void Finish()
        {
            Span<byte> word = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(word, _register);
            output.Bytes(word[..((_count + 7) >> 3)]);
        }
    }
}
