using System.Runtime.InteropServices;
using Opsmon.Core.Series;

namespace Opsmon.Analysis.Data;

/// <summary>
/// One series's samples in the window, materialised: timestamps in ms and values, NaNs (and staleness
/// markers) dropped, in time order.
/// </summary>
public sealed class SeriesPoints
{
    public SeriesPoints(Labels labels, long[] timestamps, double[] values)
    {
        Labels = labels;
        Timestamps = timestamps;
        Values = values;
    }

    public Labels Labels { get; }

    public long[] Timestamps { get; }

    public double[] Values { get; }

    public int Count => Values.Length;

    public double Last => Values.Length == 0 ? double.NaN : Values[^1];

    public double First => Values.Length == 0 ? double.NaN : Values[0];

    public double SpanSeconds => Values.Length < 2 ? 0 : (Timestamps[^1] - Timestamps[0]) / 1000.0;

    public string this[string label] => Labels.Get(label);

    public double Mean()
    {
        if (Values.Length == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        foreach (var v in Values)
        {
            sum += v;
        }

        return sum / Values.Length;
    }

    public double Max() => Values.Length == 0 ? double.NaN : Values.Max();

    /// <summary>A counter's increase over the window, adding across resets as Prometheus's increase() does.</summary>
    public double Increase()
    {
        double total = 0;
        for (var i = 1; i < Values.Length; i++)
        {
            var delta = Values[i] - Values[i - 1];
            total += delta >= 0 ? delta : Values[i];
        }

        return total;
    }

    /// <summary>A counter's average per-second rate over the span of its samples; NaN with fewer than two.</summary>
    public double Rate() => Values.Length < 2 || SpanSeconds <= 0 ? double.NaN : Increase() / SpanSeconds;

    /// <summary>Timestamps as seconds relative to <paramref name="originMs"/>, the x axis for trend fits.</summary>
    public double[] SecondsSince(long originMs)
    {
        var x = new double[Timestamps.Length];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (Timestamps[i] - originMs) / 1000.0;
        }

        return x;
    }

    public static SeriesPoints Read(IStoredSeries series)
    {
        long[]? shared = null;
        return Read(series, [], [], ref shared);
    }

    /// <summary>
    /// Reads through caller-owned scratch lists, so a family of many series grows them only once. Series scraped
    /// together have the same timestamps: when they equal <paramref name="sharedTimestamps"/> that array is reused,
    /// otherwise the new one becomes it (a day of 1,000 processes otherwise holds 10,000 copies of one time axis).
    /// </summary>
    internal static SeriesPoints Read(IStoredSeries series, List<long> timestamps, List<double> values, ref long[]? sharedTimestamps)
    {
        timestamps.Clear();
        values.Clear();
        var it = series.Samples();
        while (it.MoveNext())
        {
            var v = it.Value;
            // A staleness marker ends the series; any other NaN carries no information for these statistics.
            if (!double.IsNaN(v))
            {
                timestamps.Add(it.Timestamp);
                values.Add(v);
            }
        }

        if (sharedTimestamps is null || !sharedTimestamps.AsSpan().SequenceEqual(CollectionsMarshal.AsSpan(timestamps)))
        {
            sharedTimestamps = [.. timestamps];
        }

        return new SeriesPoints(series.Labels, sharedTimestamps, [.. values]);
    }
}
