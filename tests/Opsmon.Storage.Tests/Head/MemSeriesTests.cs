using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;
using Opsmon.Storage.Head;

namespace Opsmon.Storage.Tests.Head;

public sealed class MemSeriesTests
{
    private const long Step = 15_000;
    private const long BlockRange = 2 * Data.Hour;

    private readonly MemSeries _series = new(1, Data.Series("m"), new Lock());

    [Fact]
    public void Sealed_chunks_give_back_every_value_bit_for_bit()
    {
        // Counter-like decimals, values only XOR can hold, and every special value, across four chunk cuts.
        var random = new Random(7);
        var expected = new List<(long T, double V)>();
        for (var i = 0; i < 450; i++)
        {
            var value = (i % 9) switch
            {
                0 => double.NaN,
                1 => StaleNaN.Value,
                2 => -0.0,
                3 => double.PositiveInfinity,
                4 => random.NextDouble() * 1e6,
                _ => (1_000_000 + (i * 37)) / 100.0,
            };
            expected.Add((i * Step, value));
            Assert.Equal(AppendOutcome.Appended, _series.Append(i * Step, value, BlockRange));
        }

        Assert.Equal(Bits(expected), Bits(Read(_series.Snapshot(long.MinValue, long.MaxValue))));
    }

    [Fact]
    public void Chunks_for_a_block_include_the_sealed_ones_and_the_open_one()
    {
        Fill(0, 300);

        var chunks = _series.ChunksBefore(long.MaxValue);

        Assert.Equal([120, 120, 60], chunks.Select(c => c.Data.Count));
        var samples = chunks.SelectMany(c => Read(c.Data.Iterator())).ToList();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (i * Step, (double)i)), samples);
    }

    [Fact]
    public void Truncation_drops_only_sealed_chunks_wholly_before_the_cut()
    {
        Fill(0, 300);

        Assert.False(_series.TruncateBefore(130 * Step));

        Assert.Equal(120 * Step, _series.MinTime);
        Assert.Equal(180, _series.SampleCount);
        Assert.True(_series.TruncateBefore(300 * Step));
    }

    [Fact]
    public void A_new_chunk_after_sealing_still_rejects_out_of_order_samples()
    {
        Fill(0, 121);

        Assert.Equal(AppendOutcome.OutOfOrder, _series.Append(119 * Step, 1, BlockRange));
        Assert.Equal(AppendOutcome.Duplicate, _series.Append(120 * Step, 120, BlockRange));
        Assert.Equal(121, _series.SampleCount);
    }

    private void Fill(int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            _series.Append(i * Step, i, BlockRange);
        }
    }

    private static List<(long T, double V)> Read(List<ChunkHandle> chunks) =>
        [.. chunks.SelectMany(c => Read(c.Open()!))];

    private static List<(long T, double V)> Read(ChunkIterator it)
    {
        var result = new List<(long, double)>();
        while (it.MoveNext())
        {
            result.Add((it.Timestamp, it.Value));
        }

        return result;
    }

    private static List<(long, ulong)> Bits(List<(long T, double V)> samples) =>
        [.. samples.Select(s => (s.T, BitConverter.DoubleToUInt64Bits(s.V)))];
}
