using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;

namespace Opsmon.Storage.Tests.Chunks;

public sealed class XorChunkTests
{
    [Fact]
    public void Random_samples_round_trip_exactly()
    {
        var random = new Random(42);
        var chunk = new XorChunk();
        var expected = new List<(long, double)>();
        var t = 1_700_000_000_000L;
        for (var i = 0; i < 120; i++)
        {
            t += random.Next(1, 100_000);
            var v = random.Next(4) switch
            {
                0 => random.NextDouble() * 1e9,
                1 => Math.Round(random.NextDouble() * 100),
                2 => -random.NextDouble(),
                _ => BitConverter.Int64BitsToDouble(random.NextInt64()),
            };
            chunk.Append(t, v);
            expected.Add((t, v));
        }

        Assert.Equal(expected.Select(s => (s.Item1, BitConverter.DoubleToInt64Bits(s.Item2))), Read(chunk).Select(s => (s.T, BitConverter.DoubleToInt64Bits(s.V))));
    }

    [Fact]
    public void Special_values_keep_their_exact_bit_patterns()
    {
        double[] values = [double.NaN, StaleNaN.Value, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue, StaleNaN.Value, 1.5];
        var chunk = new XorChunk();
        for (var i = 0; i < values.Length; i++)
        {
            chunk.Append(i * 15_000L, values[i]);
        }

        var read = Read(chunk);
        Assert.Equal(values.Select(BitConverter.DoubleToUInt64Bits), read.Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
        Assert.True(StaleNaN.Is(read[1].V));
    }

    [Fact]
    public void Timestamps_with_large_and_negative_jumps_round_trip()
    {
        long[] times = [-5_000_000_000_000, -1, 0, 1, 2, 70_000, 70_001, 10_000_000_000, 10_000_000_015];
        var chunk = new XorChunk();
        foreach (var t in times)
        {
            chunk.Append(t, 1);
        }

        Assert.Equal(times, Read(chunk).Select(s => s.T));
    }

    [Fact]
    public void Append_rejects_an_equal_or_earlier_timestamp()
    {
        var chunk = new XorChunk();
        chunk.Append(1000, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.Append(1000, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.Append(999, 2));
        Assert.Equal(1, chunk.Count);
    }

    [Fact]
    public void Aligned_noisy_counter_costs_under_3_bytes_per_sample()
    {
        var random = new Random(7);
        var chunk = new XorChunk();
        var value = 1_000_000.0;
        for (var i = 0; i < XorChunk.TargetSamples; i++)
        {
            value += random.Next(0, 5000);
            chunk.Append(1_700_000_000_000L + (i * 15_000L), value);
        }

        var bytesPerSample = (double)chunk.ByteCount / chunk.Count;
        Assert.True(bytesPerSample < 3.0, $"{bytesPerSample:F2} bytes/sample");
    }

    [Fact]
    public void Aligned_timestamps_cost_one_bit_each()
    {
        var chunk = new XorChunk();
        for (var i = 0; i < XorChunk.TargetSamples; i++)
        {
            chunk.Append(i * 15_000L, 42);
        }

        // Header byte, first sample 128 bits, second ~25 bits, then 1 bit of timestamp and 1 bit of unchanged value each.
        Assert.True(chunk.ByteCount <= 1 + 16 + 3 + ((2 * 118) + 7) / 8, $"{chunk.ByteCount} bytes");
    }

    [Fact]
    public void Decimal_gauge_values_are_stored_as_scaled_integers_under_2_bytes_per_sample()
    {
        var random = new Random(3);
        var chunk = new XorChunk();
        var expected = new List<double>();
        var value = 0.5;
        for (var i = 0; i < XorChunk.TargetSamples; i++)
        {
            value = Math.Round(value + random.NextDouble() - 0.5, 2);
            chunk.Append(i * 15_000L, value);
            expected.Add(value);
        }

        Assert.True(chunk.IsDecimal);
        Assert.Equal(expected.Select(BitConverter.DoubleToUInt64Bits), Read(chunk).Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
        Assert.True((double)chunk.ByteCount / chunk.Count < 2.0, $"{(double)chunk.ByteCount / chunk.Count:F2} bytes/sample");
    }

    [Fact]
    public void A_finer_decimal_value_rescales_the_chunk_exactly()
    {
        double[] values = [1, 1.5, 1.25, 1.125, 1e6, -3.000001];
        var chunk = new XorChunk();
        for (var i = 0; i < values.Length; i++)
        {
            chunk.Append(i * 1000L, values[i]);
        }

        Assert.True(chunk.IsDecimal);
        Assert.Equal(values, Read(chunk).Select(s => s.V));
    }

    [Fact]
    public void A_value_with_no_decimal_form_switches_the_chunk_to_xor_exactly()
    {
        double[] values = [10, 20, 30, 1.0 / 3, 40, Math.PI];
        var chunk = new XorChunk();
        for (var i = 0; i < values.Length; i++)
        {
            chunk.Append(i * 1000L, values[i]);
        }

        Assert.False(chunk.IsDecimal);
        Assert.Equal(values.Select(BitConverter.DoubleToUInt64Bits), Read(chunk).Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
    }

    [Fact]
    public void Special_values_are_escaped_without_leaving_decimal_mode()
    {
        double[] values = [StaleNaN.Value, 1, StaleNaN.Value, 2, double.NaN, double.PositiveInfinity, 3, -0.0, double.NegativeInfinity, 4_000_000_000_000];
        var chunk = new XorChunk();
        for (var i = 0; i < values.Length; i++)
        {
            chunk.Append(i * 1000L, values[i]);
        }

        Assert.True(chunk.IsDecimal);
        Assert.Equal(values.Select(BitConverter.DoubleToUInt64Bits), Read(chunk).Select(s => BitConverter.DoubleToUInt64Bits(s.V)));
    }

    [Fact]
    public void Timestamps_jittered_by_milliseconds_cost_about_ten_bits_each()
    {
        var random = new Random(11);
        var chunk = new XorChunk();
        var times = new List<long>();
        for (var i = 0; i < XorChunk.TargetSamples; i++)
        {
            times.Add((i * 15_000L) + random.Next(0, 20));
            chunk.Append(times[^1], 1);
        }

        Assert.Equal(times, Read(chunk).Select(s => s.T));
        Assert.True(chunk.ByteCount <= 1 + 16 + 4 + ((118 * 10) + 7) / 8, $"{chunk.ByteCount} bytes");
    }

    [Fact]
    public void Iterating_allocates_nothing_per_sample()
    {
        var chunk = new XorChunk();
        for (var i = 0; i < XorChunk.TargetSamples; i++)
        {
            chunk.Append(i * 15_000L, i * 1.25);
        }

        var it = chunk.Iterator();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0.0;
        while (it.MoveNext())
        {
            sum += it.Value;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Fact]
    public void An_iterator_is_not_disturbed_by_later_appends()
    {
        var chunk = new XorChunk();
        chunk.Append(0, 1);
        chunk.Append(15_000, 2);
        var it = chunk.Iterator();
        for (var i = 2; i < 100; i++)
        {
            chunk.Append(i * 15_000L, i);
        }

        var count = 0;
        while (it.MoveNext())
        {
            count++;
        }

        Assert.Equal(2, count);
    }

    private static List<(long T, double V)> Read(XorChunk chunk)
    {
        var result = new List<(long, double)>();
        var it = chunk.Iterator();
        while (it.MoveNext())
        {
            result.Add((it.Timestamp, it.Value));
        }

        return result;
    }
}
