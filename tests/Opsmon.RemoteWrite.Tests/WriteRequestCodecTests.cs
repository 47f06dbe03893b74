using Opsmon.Core.Series;
using Opsmon.RemoteWrite;

namespace Opsmon.RemoteWrite.Tests;

public sealed class WriteRequestCodecTests
{
    [Fact]
    public void Encode_writes_the_protobuf_wire_format_of_the_spec()
    {
        var series = new WriteSeries(Labels.From(("__name__", "up")), [new WriteSample(1, 1.0)]);

        var bytes = WriteRequestCodec.Encode([series]);

        // WriteRequest.timeseries(1) { labels(1) { name(1)="__name__" value(2)="up" } samples(2) { value(1)=1.0 timestamp(2)=1 } }
        byte[] expected =
        [
            0x0A, 0x1D,
            0x0A, 0x0E, 0x0A, 0x08, .. "__name__"u8, 0x12, 0x02, .. "up"u8,
            0x12, 0x0B, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0x01,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Compressed_round_trip_keeps_labels_values_and_timestamps()
    {
        var input = new List<WriteSeries>
        {
            new(Labels.From(("__name__", "node_cpu_seconds_total"), ("cpu", "0"), ("mode", "idle")), [new(1_700_000_000_000, 12345.67), new(1_700_000_015_000, double.NaN)]),
            new(Labels.From(("__name__", "m"), ("path", "/mnt/with space/é")), [new(-5, double.NegativeInfinity), new(0, StaleNaN.Value)]),
        };

        Assert.True(WriteRequestCodec.TryDecodeCompressed(WriteRequestCodec.EncodeCompressed(input), out var output, out var error), error);

        Assert.Equal(2, output.Count);
        Assert.Equal(input[0].Labels, output[0].Labels);
        Assert.Equal(input[1].Labels, output[1].Labels);
        Assert.Equal(12345.67, output[0].Samples[0].Value);
        Assert.True(double.IsNaN(output[0].Samples[1].Value));
        Assert.Equal(-5, output[1].Samples[0].Timestamp);
        Assert.True(StaleNaN.Is(output[1].Samples[1].Value));
    }

    [Fact]
    public void Garbage_is_an_error_result_not_an_exception()
    {
        Assert.False(WriteRequestCodec.TryDecode([0x0A, 0xFF, 0x01], out _, out var error));
        Assert.Contains("runs past the end", error, StringComparison.Ordinal);
        Assert.False(WriteRequestCodec.TryDecodeCompressed("not snappy"u8, out _, out _));
    }

    [Fact]
    public void Batches_split_long_series_in_order_and_respect_the_limit()
    {
        var samples = Enumerable.Range(0, 25).Select(i => new WriteSample(i, i)).ToList();
        var series = new List<WriteSeries> { new(Labels.From(("__name__", "a")), samples), new(Labels.From(("__name__", "b")), samples.Take(3).ToList()) };

        var batches = RemoteWriteSender.Batches(series, 10).ToList();

        Assert.Equal([10, 10, 8], batches.Select(b => b.Sum(s => s.Samples.Count)));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), batches.SelectMany(b => b).Where(s => s.Labels.Name == "a").SelectMany(s => s.Samples).Select(s => s.Timestamp));
    }
}
