using Opsmon.Core.Series;

namespace Opsmon.Storage.Wal;

/// <summary>A sample as the WAL stores it: the series ref the head gave its labels.</summary>
internal readonly record struct RefSample(ulong Ref, long Timestamp, double Value);

/// <summary>
/// WAL record payloads. Type 1: series (uvarint count, then per series uvarint ref, uvarint label count,
/// name/value strings). Type 2: samples (uvarint count, then per sample uvarint ref, zigzag-varint time, 8-byte value).
/// </summary>
internal static class WalRecords
{
    public const byte SeriesType = 1;
    public const byte SamplesType = 2;

    public static void EncodeSeries(ByteBuffer buffer, IReadOnlyList<(ulong Ref, Labels Labels)> series)
    {
        buffer.Clear();
        buffer.Byte(SeriesType);
        buffer.UVarint((ulong)series.Count);
        foreach (var (seriesRef, labels) in series)
        {
            buffer.UVarint(seriesRef);
            buffer.UVarint((ulong)labels.Count);
            foreach (var label in labels.AsSpan())
            {
                buffer.String(label.Name);
                buffer.String(label.Value);
            }
        }
    }

    public static void EncodeSamples(ByteBuffer buffer, IReadOnlyList<RefSample> samples)
    {
        buffer.Clear();
        buffer.Byte(SamplesType);
        buffer.UVarint((ulong)samples.Count);
        foreach (var sample in samples)
        {
            buffer.UVarint(sample.Ref);
            buffer.Varint(sample.Timestamp);
            buffer.Double(sample.Value);
        }
    }

    /// <summary>Decodes one payload into series or samples; throws <see cref="InvalidDataException"/> when malformed.</summary>
    public static void Decode(ReadOnlySpan<byte> payload, List<(ulong Ref, Labels Labels)> series, List<RefSample> samples)
    {
        var decoder = new ByteDecoder(payload);
        var type = decoder.Byte();
        var count = decoder.Int();
        switch (type)
        {
            case SeriesType:
                var pairs = new List<Label>();
                for (var i = 0; i < count; i++)
                {
                    var seriesRef = decoder.UVarint();
                    var labelCount = decoder.Int();
                    pairs.Clear();
                    for (var j = 0; j < labelCount; j++)
                    {
                        pairs.Add(new Label(decoder.String(), decoder.String()));
                    }

                    series.Add((seriesRef, Labels.From(pairs)));
                }

                break;
            case SamplesType:
                for (var i = 0; i < count; i++)
                {
                    samples.Add(new RefSample(decoder.UVarint(), decoder.Varint(), decoder.Double()));
                }

                break;
            default:
                throw new InvalidDataException($"Unknown WAL record type {type}.");
        }
    }
}
