using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Tests.Chunks;

public sealed class PackedChunkTests
{
    private const long Start = 1_700_000_000_000;

    [Fact]
    public void Special_values_keep_their_exact_bit_patterns_among_decimals()
    {
        double[] values =
        [
            StaleNaN.Value, 1, double.NaN, 2.5, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, 3,
            BitConverter.UInt64BitsToDouble(0x7ff8_0000_0000_0bad), 4, StaleNaN.Value,
        ];

        var read = RoundTrip(Aligned(values.Length), values);

        Assert.NotEqual(PackedChunk.XorValues, Mode(Aligned(values.Length), values));
        Assert.True(StaleNaN.Is(read[0].V));
        Assert.True(StaleNaN.Is(read[^1].V));
    }

    [Fact]
    public void Special_values_keep_their_exact_bit_patterns_among_xor_values()
    {
        double[] values = [Math.PI, StaleNaN.Value, double.NaN, double.Epsilon, double.MaxValue, double.MinValue, -0.0, double.NegativeInfinity, 1.0 / 3];

        RoundTrip(Aligned(values.Length), values);

        Assert.Equal(PackedChunk.XorValues, Mode(Aligned(values.Length), values));
    }

    [Fact]
    public void A_chunk_of_only_special_values_round_trips()
    {
        double[] values = [StaleNaN.Value, StaleNaN.Value, double.NaN, double.PositiveInfinity];
        RoundTrip(Aligned(values.Length), values);
    }

    [Fact]
    public void Huge_tiny_and_inexact_decimal_values_fall_back_to_xor_exactly()
    {
        double[] values = [1e300, 1e-300, 9_007_199_254_740_993.0, 0.1 + 0.2, 1e-7, -1e308, 4.9e-324];
        RoundTrip(Aligned(values.Length), values);
        Assert.Equal(PackedChunk.XorValues, Mode(Aligned(values.Length), values));
    }

    [Fact]
    public void Integers_near_two_to_the_53_stay_exact()
    {
        double[] values = [9_007_199_254_740_991.0, -9_007_199_254_740_991.0, 0, 9_007_199_254_740_990.0, 1];
        RoundTrip(Aligned(values.Length), values);
        Assert.NotEqual(PackedChunk.XorValues, Mode(Aligned(values.Length), values));
    }

    [Fact]
    public void Counter_resets_round_trip()
    {
        double[] values = [100, 250.5, 400, 0, 12.25, 30, 1e9, 0, 0, 5];
        RoundTrip(Aligned(values.Length), values);
    }

    [Fact]
    public void Irregular_negative_and_far_apart_timestamps_round_trip()
    {
        long[] times = [-5_000_000_000_000, -1, 0, 1, 2, 70_000, 70_001, 10_000_000_000, 10_000_000_015, long.MaxValue / 4];
        RoundTrip(times, [.. times.Select(t => (double)(t % 1000))]);
    }

    [Fact]
    public void One_and_two_sample_chunks_round_trip()
    {
        RoundTrip([Start], [42.5]);
        RoundTrip([Start, Start + 15_000], [StaleNaN.Value, -0.0]);
    }

    [Fact]
    public void Random_series_of_every_shape_round_trip_exactly()
    {
        // A property over many seeded random series: whatever the values and times, decoding gives the same bits.
        var random = new Random(20261125);
        for (var round = 0; round < 400; round++)
        {
            var count = random.Next(3) == 0 ? random.Next(1, 5) : random.Next(1, PackedChunk.TargetSamples + 1);
            var times = new long[count];
            var values = new double[count];
            var timeShape = random.Next(4);
            var valueShape = random.Next(8);
            var t = random.NextInt64(-1L << 45, 1L << 45);
            var v = random.Next(3) == 0 ? 0 : random.NextDouble() * Math.Pow(10, random.Next(-3, 12));
            for (var i = 0; i < count; i++)
            {
                t += timeShape switch
                {
                    0 => 15_000,
                    1 => 15_000 + random.Next(-5, 6),
                    2 => random.Next(1, 1_000_000),
                    _ => random.Next(10) == 0 ? random.NextInt64(1, 1L << 40) : 1_000,
                };
                v = valueShape switch
                {
                    0 => v + Math.Round(random.NextDouble() * 1500) / 100,
                    1 => random.Next(50) == 0 ? 0 : v + random.Next(0, 100_000),
                    2 => Math.Round(random.Next(1, 4_000_000) * 1.0) * 4096,
                    3 => Math.Round(v + random.NextDouble() - 0.5, random.Next(0, 7)),
                    4 => random.NextDouble() * 1e6,
                    5 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
                    6 => Math.Round((v / 0.01) + random.Next(0, 2000)) * 0.01,
                    _ => 7.25,
                };
                times[i] = t;
                values[i] = random.Next(40) == 0 ? Special(random) : v;
            }

            RoundTrip(times, values);
        }
    }

    [Fact]
    public void An_aligned_cpu_seconds_counter_costs_under_a_byte_and_a_half_per_sample()
    {
        // CPU time in hundredths of a second, as /proc/stat gives it, advancing a noisy amount every 15 s.
        var random = new Random(5);
        var values = new double[PackedChunk.TargetSamples];
        var ticks = 123_456_789L;
        for (var i = 0; i < values.Length; i++)
        {
            ticks += random.Next(0, 1500);
            values[i] = ticks / 100.0;
        }

        var bytes = PackedChunk.Encode(Aligned(values.Length), values);
        Assert.True((double)bytes.Length / values.Length < 1.5, $"{(double)bytes.Length / values.Length:F2} bytes/sample");
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.001)]
    [InlineData(1e-6)]
    public void Counts_multiplied_by_a_decimal_unit_are_stored_as_integers_exactly(double unit)
    {
        // ticks * 0.01 is not the decimal it prints as (12345 * 0.01 = 123.45000000000002), yet it is m times the unit.
        var random = new Random(13);
        var values = new double[PackedChunk.TargetSamples];
        var ticks = 987_654_321L;
        for (var i = 0; i < values.Length; i++)
        {
            ticks += random.Next(0, 1500);
            values[i] = ticks * unit;
        }

        var bytes = PackedChunk.Encode(Aligned(values.Length), values);

        Assert.NotEqual(PackedChunk.XorValues, bytes[1]);
        RoundTrip(Aligned(values.Length), values);
        Assert.True((double)bytes.Length / values.Length < 1.5, $"{(double)bytes.Length / values.Length:F2} bytes/sample");
    }

    [Fact]
    public void A_constant_at_a_regular_interval_costs_only_its_header()
    {
        var values = Enumerable.Repeat(16_384_000.0, PackedChunk.TargetSamples).ToArray();
        var bytes = PackedChunk.Encode(Aligned(values.Length), values);
        Assert.True(bytes.Length <= 24, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Values_in_whole_pages_pay_nothing_for_the_page_size()
    {
        var random = new Random(9);
        var pages = new double[PackedChunk.TargetSamples];
        var units = new double[PackedChunk.TargetSamples];
        var level = 1_000_000L;
        for (var i = 0; i < pages.Length; i++)
        {
            level += random.Next(-100, 101);
            pages[i] = level * 4096.0;
            units[i] = level;
        }

        var inPages = PackedChunk.Encode(Aligned(pages.Length), pages).Length;
        var inUnits = PackedChunk.Encode(Aligned(units.Length), units).Length;
        Assert.True(inPages <= inUnits + 4, $"{inPages} bytes in pages, {inUnits} in units");
    }

    [Fact]
    public void Jittered_timestamps_cost_under_six_bits_each()
    {
        var random = new Random(11);
        var times = new long[PackedChunk.TargetSamples];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = Start + (i * 15_000L) + random.Next(-5, 6);
        }

        var bytes = PackedChunk.Encode(times, new double[times.Length]);
        RoundTrip(times, new double[times.Length]);
        Assert.True(bytes.Length * 8.0 / times.Length < 6, $"{bytes.Length * 8.0 / times.Length:F2} bits/sample");
    }

    [Fact]
    public void Iterating_allocates_nothing_per_sample()
    {
        var values = Enumerable.Range(0, PackedChunk.TargetSamples).Select(i => i % 100 == 0 ? StaleNaN.Value : i * 1.25).ToArray();
        var data = new XorChunkData(PackedChunk.Encode(Aligned(values.Length), values), values.Length);
        var it = data.Iterator();
        it.MoveNext();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = 1;
        while (it.MoveNext())
        {
            count++;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(values.Length, count);
    }

    [Fact]
    public void An_unknown_encoding_byte_is_refused_with_a_clear_message()
    {
        var it = new XorChunkData([0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1).Iterator();
        var error = Assert.Throws<InvalidDataException>(() => it.MoveNext());
        Assert.Contains("encoding", error.Message, StringComparison.Ordinal);
    }

    private static double Special(Random random) => random.Next(5) switch
    {
        0 => StaleNaN.Value,
        1 => double.NaN,
        2 => double.PositiveInfinity,
        3 => double.NegativeInfinity,
        _ => -0.0,
    };

    private static long[] Aligned(int count) => [.. Enumerable.Range(0, count).Select(i => Start + (i * 15_000L))];

    private static byte Mode(long[] times, double[] values) => PackedChunk.Encode(times, values)[1];

    /// <summary>Encodes and decodes; asserts every timestamp and every value's bits come back.</summary>
    private static List<(long T, double V)> RoundTrip(long[] times, double[] values)
    {
        var data = new XorChunkData(PackedChunk.Encode(times, values), times.Length);
        Assert.Equal(PackedChunk.Encoding, data.Bytes[0]);
        var read = new List<(long T, double V)>();
        var it = data.Iterator();
        while (it.MoveNext())
        {
            read.Add((it.Timestamp, it.Value));
        }

        Assert.Equal(times, read.Select(s => s.T));
        Assert.Equal(values.Select(BitConverter.DoubleToUInt64Bits), read.Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
        return read;
    }
}
