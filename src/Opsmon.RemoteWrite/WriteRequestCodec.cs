using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Opsmon.Core.Series;

namespace Opsmon.RemoteWrite;

/// <summary>One series of a remote-write request: its labels and samples (timestamps in ms).</summary>
public sealed record WriteSeries(Labels Labels, IReadOnlyList<WriteSample> Samples);

public readonly record struct WriteSample(long Timestamp, double Value);

/// <summary>
/// Prometheus remote write 1.0 messages, encoded and decoded by hand (no generated code):
/// WriteRequest{repeated TimeSeries timeseries = 1}, TimeSeries{repeated Label labels = 1; repeated Sample samples = 2},
/// Label{string name = 1; string value = 2}, Sample{double value = 1; int64 timestamp = 2}.
/// https://prometheus.io/docs/specs/prw/remote_write_spec/
/// </summary>
public static class WriteRequestCodec
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireBytes = 2;
    private const int WireFixed32 = 5;

    /// <summary>Encodes a WriteRequest (uncompressed protobuf). Labels are already sorted, as the spec requires.</summary>
    public static byte[] Encode(IReadOnlyList<WriteSeries> series)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        foreach (var s in series)
        {
            WriteTag(buffer, 1, WireBytes);
            WriteVarint(buffer, (ulong)SeriesSize(s));
            foreach (var label in s.Labels.AsSpan())
            {
                WriteTag(buffer, 1, WireBytes);
                WriteVarint(buffer, (ulong)LabelSize(label));
                WriteString(buffer, 1, label.Name);
                WriteString(buffer, 2, label.Value);
            }

            foreach (var sample in s.Samples)
            {
                WriteTag(buffer, 2, WireBytes);
                WriteVarint(buffer, (ulong)SampleSize(sample));
                WriteTag(buffer, 1, WireFixed64);
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.GetSpan(8), sample.Value);
                buffer.Advance(8);
                WriteTag(buffer, 2, WireVarint);
                WriteVarint(buffer, (ulong)sample.Timestamp);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes and snappy-compresses (block format, as the spec requires; never the framed format).</summary>
    public static byte[] EncodeCompressed(IReadOnlyList<WriteSeries> series) =>
        Snappier.Snappy.CompressToArray(Encode(series));

    /// <summary>Decompresses and decodes a request body; an error result names what is wrong.</summary>
    public static bool TryDecodeCompressed(ReadOnlySpan<byte> body, out List<WriteSeries> series, out string? error)
    {
        byte[] raw;
        try
        {
            raw = Snappier.Snappy.DecompressToArray(body);
        }
        catch (InvalidDataException e)
        {
            series = [];
            error = "snappy: " + e.Message;
            return false;
        }

        return TryDecode(raw, out series, out error);
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out List<WriteSeries> series, out string? error)
    {
        series = [];
        error = null;
        var reader = new Reader(data);
        try
        {
            while (!reader.End)
            {
                var (field, wire) = reader.Tag();
                if (field == 1 && wire == WireBytes)
                {
                    series.Add(DecodeSeries(reader.Bytes()));
                }
                else
                {
                    reader.Skip(wire);
                }
            }
        }
        catch (FormatException e)
        {
            error = "protobuf: " + e.Message;
            return false;
        }

        return true;
    }

    private static WriteSeries DecodeSeries(ReadOnlySpan<byte> data)
    {
        var labels = new List<Label>();
        var samples = new List<WriteSample>();
        var reader = new Reader(data);
        while (!reader.End)
        {
            var (field, wire) = reader.Tag();
            if (field == 1 && wire == WireBytes)
            {
                var inner = new Reader(reader.Bytes());
                string name = "", value = "";
                while (!inner.End)
                {
                    var (f, w) = inner.Tag();
                    if (f == 1 && w == WireBytes)
                    {
                        name = Encoding.UTF8.GetString(inner.Bytes());
                    }
                    else if (f == 2 && w == WireBytes)
                    {
                        value = Encoding.UTF8.GetString(inner.Bytes());
                    }
                    else
                    {
                        inner.Skip(w);
                    }
                }

                labels.Add(new Label(name, value));
            }
            else if (field == 2 && wire == WireBytes)
            {
                var inner = new Reader(reader.Bytes());
                double v = 0;
                long t = 0;
                while (!inner.End)
                {
                    var (f, w) = inner.Tag();
                    if (f == 1 && w == WireFixed64)
                    {
                        v = BinaryPrimitives.ReadDoubleLittleEndian(inner.Fixed(8));
                    }
                    else if (f == 2 && w == WireVarint)
                    {
                        t = (long)inner.Varint();
                    }
                    else
                    {
                        inner.Skip(w);
                    }
                }

                samples.Add(new WriteSample(t, v));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return new WriteSeries(Labels.From(labels), samples);
    }

    private static int SeriesSize(WriteSeries s)
    {
        var size = 0;
        foreach (var label in s.Labels.AsSpan())
        {
            var n = LabelSize(label);
            size += 1 + VarintSize((ulong)n) + n;
        }

        foreach (var sample in s.Samples)
        {
            var n = SampleSize(sample);
            size += 1 + VarintSize((ulong)n) + n;
        }

        return size;
    }

    private static int LabelSize(Label label) => StringSize(label.Name) + StringSize(label.Value);

    private static int StringSize(string s)
    {
        var n = Encoding.UTF8.GetByteCount(s);
        return 1 + VarintSize((ulong)n) + n;
    }

    private static int SampleSize(WriteSample sample) => 1 + 8 + 1 + VarintSize((ulong)sample.Timestamp);

    private static int VarintSize(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    private static void WriteTag(IBufferWriter<byte> buffer, int field, int wire) => WriteVarint(buffer, (ulong)((field << 3) | wire));

    private static void WriteVarint(IBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        buffer.Advance(i);
    }

    private static void WriteString(IBufferWriter<byte> buffer, int field, string value)
    {
        WriteTag(buffer, field, WireBytes);
        var n = Encoding.UTF8.GetByteCount(value);
        WriteVarint(buffer, (ulong)n);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(n));
        buffer.Advance(n);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool End => _pos >= _data.Length;

        public (int Field, int Wire) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= _data.Length)
                {
                    throw new FormatException("truncated varint");
                }

                var b = _data[_pos++];
                result |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            throw new FormatException("varint longer than 10 bytes");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            if (length > (ulong)(_data.Length - _pos))
            {
                throw new FormatException("length-delimited field runs past the end");
            }

            var result = _data.Slice(_pos, (int)length);
            _pos += (int)length;
            return result;
        }

        public ReadOnlySpan<byte> Fixed(int n)
        {
            if (_pos + n > _data.Length)
            {
                throw new FormatException("truncated fixed-width field");
            }

            var result = _data.Slice(_pos, n);
            _pos += n;
            return result;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case WireVarint:
                    Varint();
                    break;
                case WireFixed64:
                    Fixed(8);
                    break;
                case WireBytes:
                    Bytes();
                    break;
                case WireFixed32:
                    Fixed(4);
                    break;
                default:
                    throw new FormatException($"unsupported wire type {wire}");
            }
        }
    }
}
