using System.Buffers;
using System.Globalization;
using System.Text;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Exposition;

/// <summary>
/// Writes metric families in the Prometheus text format 0.0.4 or OpenMetrics 1.0 straight into a buffer:
/// no intermediate strings per sample. HELP and TYPE appear once per family; label values are escaped.
/// https://github.com/prometheus/docs/blob/main/content/docs/instrumenting/exposition_formats.md
/// </summary>
public static class ExpositionWriter
{
    public static void Write(IBufferWriter<byte> output, IEnumerable<MetricFamily> families, ExpositionFormat format)
    {
        foreach (var family in families)
        {
            if (family.Samples.Count == 0)
            {
                continue;
            }

            WriteFamily(output, family, format);
        }

        if (format == ExpositionFormat.OpenMetrics)
        {
            Ascii(output, "# EOF\n");
        }
    }

    public static async Task WriteAsync(Stream stream, IEnumerable<MetricFamily> families, ExpositionFormat format, CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        Write(buffer, families, format);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    public static string ToText(IEnumerable<MetricFamily> families, ExpositionFormat format = ExpositionFormat.Text)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, families, format);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteFamily(IBufferWriter<byte> output, MetricFamily family, ExpositionFormat format)
    {
        var om = format == ExpositionFormat.OpenMetrics;
        var type = family.Type;
        var familyName = family.Name;
        if (om && type == MetricType.Counter)
        {
            // OpenMetrics names the counter family without _total and its sample with it; a counter whose
            // name lacks the suffix cannot be written as one without renaming it, so it goes out as unknown.
            if (familyName.EndsWith("_total", StringComparison.Ordinal))
            {
                familyName = familyName[..^"_total".Length];
            }
            else
            {
                type = MetricType.Untyped;
            }
        }
        else if (om && type == MetricType.Info && familyName.EndsWith("_info", StringComparison.Ordinal))
        {
            familyName = familyName[..^"_info".Length];
        }
        else if (!om && type is MetricType.Info or MetricType.StateSet)
        {
            type = MetricType.Gauge;
        }

        Ascii(output, "# HELP ");
        Utf8(output, familyName);
        Ascii(output, " ");
        Escaped(output, family.Help, escapeQuote: om);
        Ascii(output, "\n# TYPE ");
        Utf8(output, familyName);
        Ascii(output, TypeName(type, om));

        var labelNames = family.LabelNames;
        foreach (var sample in family.Samples)
        {
            Utf8(output, family.Name);
            if (labelNames.Count > 0)
            {
                Ascii(output, "{");
                for (var i = 0; i < labelNames.Count; i++)
                {
                    if (i > 0)
                    {
                        Ascii(output, ",");
                    }

                    Utf8(output, labelNames[i]);
                    Ascii(output, "=\"");
                    Escaped(output, sample.LabelValues[i], escapeQuote: true);
                    Ascii(output, "\"");
                }

                Ascii(output, "}");
            }

            Ascii(output, " ");
            Number(output, sample.Value);
            Ascii(output, "\n");
        }
    }

    private static string TypeName(MetricType type, bool om) => type switch
    {
        MetricType.Counter => " counter\n",
        MetricType.Gauge => " gauge\n",
        MetricType.Info => " info\n",
        MetricType.StateSet => " stateset\n",
        MetricType.Summary => " summary\n",
        MetricType.Histogram => " histogram\n",
        _ => om ? " unknown\n" : " untyped\n",
    };

    private static void Number(IBufferWriter<byte> output, double value)
    {
        if (double.IsNaN(value))
        {
            Ascii(output, "NaN");
            return;
        }

        if (double.IsPositiveInfinity(value))
        {
            Ascii(output, "+Inf");
            return;
        }

        if (double.IsNegativeInfinity(value))
        {
            Ascii(output, "-Inf");
            return;
        }

        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit in 32 bytes.");
        }

        output.Advance(written);
    }

    private static void Ascii(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    private static void Utf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Escapes backslash and newline (and the double quote in label values and OpenMetrics help).</summary>
    private static void Escaped(IBufferWriter<byte> output, string text, bool escapeQuote)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var replacement = c switch
            {
                '\\' => @"\\",
                '\n' => @"\n",
                '"' when escapeQuote => "\\\"",
                _ => (string?)null,
            };
            if (replacement is null)
            {
                continue;
            }

            Utf8(output, text.AsSpan(start, i - start));
            Ascii(output, replacement);
            start = i + 1;
        }

        Utf8(output, text.AsSpan(start));
    }
}
