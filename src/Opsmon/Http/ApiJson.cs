using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Opsmon.Core.Series;
using Opsmon.Query;

namespace Opsmon.Http;

/// <summary>
/// Renders the Prometheus HTTP API's JSON envelope and result types exactly as Prometheus does: times as Unix
/// seconds (numbers), sample values as strings ("1.5", "NaN", "+Inf"), {"status","data"} or {"status","errorType","error"}.
/// </summary>
public static class ApiJson
{
    private const int MaxTimeBytes = 32;
    private const int MaxValueBytes = 48;
    private const int MaxPointBytes = MaxTimeBytes + MaxValueBytes + 8;

    public static Task SuccessAsync(HttpContext context, Action<Utf8JsonWriter> writeData) =>
        WriteAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("status", "success");
            w.WritePropertyName("data");
            writeData(w);
        });

    public static Task ErrorAsync(HttpContext context, ErrorType type, string message) =>
        WriteAsync(context, StatusFor(type), w =>
        {
            w.WriteString("status", "error");
            w.WriteString("errorType", type.ToWireName());
            w.WriteString("error", message);
        });

    /// <summary>Prometheus's status codes: 400 bad_data, 422 execution, 503 timeout/canceled, 500 internal.</summary>
    public static int StatusFor(ErrorType type) => type switch
    {
        ErrorType.BadData => StatusCodes.Status400BadRequest,
        ErrorType.Execution => StatusCodes.Status422UnprocessableEntity,
        ErrorType.Timeout or ErrorType.Canceled => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static void WriteQueryData(Utf8JsonWriter w, QueryValue value)
    {
        w.WriteStartObject();
        w.WriteString("resultType", value.ResultType);
        w.WritePropertyName("result");
        switch (value)
        {
            case ScalarValue s:
                WritePoint(w, s.T, s.V);
                break;
            case StringValue s:
                w.WriteStartArray();
                WriteTime(w, s.T);
                w.WriteStringValue(s.V);
                w.WriteEndArray();
                break;
            case VectorValue v:
                w.WriteStartArray();
                foreach (var sample in v.Samples)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("metric");
                    WriteLabels(w, sample.Metric);
                    w.WritePropertyName("value");
                    WritePoint(w, sample.T, sample.V);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case MatrixValue m:
                w.WriteStartArray();
                foreach (var series in m.Series)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("metric");
                    WriteLabels(w, series.Metric);
                    w.WritePropertyName("values");
                    w.WriteStartArray();
                    foreach (var p in PointsOf(series))
                    {
                        WritePoint(w, p.T, p.V);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    /// <summary>A series' points as a span where they are in an array or a list (no enumerator per point).</summary>
    private static ReadOnlySpan<Point> PointsOf(Series series) => series.Points switch
    {
        Point[] array => array,
        List<Point> list => CollectionsMarshal.AsSpan(list),
        var other => other.ToArray(),
    };

    /// <summary>The reverse of <see cref="WriteQueryData"/>: a Prometheus API "data" object back into a value.</summary>
    public static QueryValue ReadQueryData(JsonElement data)
    {
        var result = data.GetProperty("result");
        static long T(JsonElement point) => (long)Math.Round(point[0].GetDouble() * 1000);
        static double V(JsonElement point) => ParseValue(point[1].GetString() ?? "NaN");
        static Labels L(JsonElement metric) => Labels.From(metric.EnumerateObject().Select(p => new Label(p.Name, p.Value.GetString() ?? "")));
        return data.GetProperty("resultType").GetString() switch
        {
            "scalar" => new ScalarValue(T(result), V(result)),
            "string" => new StringValue(T(result), result[1].GetString() ?? ""),
            "vector" => new VectorValue([.. result.EnumerateArray().Select(s => new Sample(L(s.GetProperty("metric")), T(s.GetProperty("value")), V(s.GetProperty("value"))))]),
            "matrix" => new MatrixValue([.. result.EnumerateArray().Select(s => new Series(L(s.GetProperty("metric")), [.. s.GetProperty("values").EnumerateArray().Select(p => new Point(T(p), V(p)))]))]),
            var other => throw new InvalidOperationException($"unknown resultType '{other}'"),
        };
    }

    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    public static void WriteLabels(Utf8JsonWriter w, Labels labels)
    {
        w.WriteStartObject();
        foreach (var label in labels.AsSpan())
        {
            w.WriteString(label.Name, label.Value);
        }

        w.WriteEndObject();
    }

    public static void WriteStrings(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// One <c>[time, "value"]</c> pair formatted into a stack buffer and written as a single raw JSON value: a range
    /// query's answer is mostly these (138k of them for 96 series over a day at a 60 s step), and four writer calls
    /// per point cost more than the formatting.
    /// </summary>
    // Per-sample loops: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WritePoint(Utf8JsonWriter w, long t, double v)
    {
        Span<byte> text = stackalloc byte[MaxPointBytes];
        text[0] = (byte)'[';
        var n = 1 + FormatTime(text[1..], t);
        text[n++] = (byte)',';
        text[n++] = (byte)'"';
        n += FormatValue(text[n..], v);
        text[n++] = (byte)'"';
        text[n++] = (byte)']';
        w.WriteRawValue(text[..n], skipInputValidation: true);
    }

    private static void WriteTime(Utf8JsonWriter w, long ms)
    {
        Span<byte> text = stackalloc byte[MaxTimeBytes];
        w.WriteRawValue(text[..FormatTime(text, ms)], skipInputValidation: true);
    }

    /// <summary>Unix seconds with millisecond precision as JSON number text (1700000000.123): what "0.###" makes of ms / 1000.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int FormatTime(Span<byte> text, long ms)
    {
        var n = 0;
        if (ms < 0)
        {
            text[n++] = (byte)'-';
        }

        // Integer seconds, then the milliseconds without trailing zeros.
        var abs = ms == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(ms);
        (abs / 1000).TryFormat(text[n..], out var written, default, CultureInfo.InvariantCulture);
        var end = n + written;
        var millis = (int)(abs % 1000);
        if (millis != 0)
        {
            text[end++] = (byte)'.';
            text[end++] = (byte)('0' + (millis / 100));
            text[end++] = (byte)('0' + (millis / 10 % 10));
            text[end++] = (byte)('0' + (millis % 10));
            while (text[end - 1] == '0')
            {
                end--;
            }
        }

        return end;
    }

    /// <summary>
    /// A sample value's text as <see cref="FormatValue(double)"/> spells it, in ASCII without an intermediate string
    /// for the common case. None of its characters needs escaping inside a JSON string.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int FormatValue(Span<byte> text, double v)
    {
        if (double.IsFinite(v) && v.TryFormat(text, out var written, "R", CultureInfo.InvariantCulture) && !text[..written].Contains((byte)'E'))
        {
            return written;
        }

        return System.Text.Encoding.ASCII.GetBytes(FormatValue(v), text);
    }

    /// <summary>Go's strconv.FormatFloat(v, 'f', -1, 64) for finite values; NaN, +Inf, -Inf spelled as Prometheus does.</summary>
    public static string FormatValue(double v) => v switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(v) => "NaN",
        _ => FormatFinite(v),
    };

    private static string FormatFinite(double v)
    {
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        if (!r.Contains('E', StringComparison.Ordinal))
        {
            return r;
        }

        // Go's 'f' format never uses an exponent; decimal handles up to ~7.9e28, beyond that keep the exponent form.
        return Math.Abs(v) < 7.9e28 && Math.Abs(v) > 1e-28
            ? ((decimal)v).ToString(CultureInfo.InvariantCulture)
            : r;
    }

    /// <summary>
    /// Writes the envelope straight into the response's pipe: its pooled segments take the JSON as it is produced
    /// (a range query's answer runs to megabytes), where a growing array would be copied at every doubling.
    /// </summary>
    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var output = context.Response.BodyWriter;
        await using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        await output.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
