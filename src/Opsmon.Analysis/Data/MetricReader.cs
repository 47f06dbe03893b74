using Opsmon.Core.Series;

namespace Opsmon.Analysis.Data;

/// <summary>
/// Reads whole metric families for the analysis window through <see cref="IQuerier"/>, once each: several
/// checks look at the same family, and the store is the expensive part.
/// </summary>
public sealed class MetricReader
{
    private readonly IQuerier _querier;
    private readonly long _startMs;
    private readonly long _endMs;
    private readonly Dictionary<string, IReadOnlyList<SeriesPoints>> _cache = new(StringComparer.Ordinal);
    private readonly List<long> _timestamps = [];
    private readonly List<double> _values = [];
    private long[]? _sharedTimestamps;

    public MetricReader(IQuerier querier, long startMs, long endMs)
    {
        _querier = querier;
        _startMs = startMs;
        _endMs = endMs;
    }

    /// <summary>Every series of the metric with at least one sample in the window.</summary>
    public IReadOnlyList<SeriesPoints> Series(string metric)
    {
        if (_cache.TryGetValue(metric, out var cached))
        {
            return cached;
        }

        var matchers = new[] { LabelMatcher.Equal(Labels.MetricName, metric) };
        var list = new List<SeriesPoints>();
        foreach (var stored in _querier.Select(_startMs, _endMs, matchers))
        {
            var points = SeriesPoints.Read(stored, _timestamps, _values, ref _sharedTimestamps);
            if (points.Count > 0)
            {
                list.Add(points);
            }
        }

        _cache[metric] = list;
        return list;
    }

    /// <summary>The only (or first) series of an unlabelled metric, or null when absent.</summary>
    public SeriesPoints? Single(string metric)
    {
        var series = Series(metric);
        return series.Count == 0 ? null : series[0];
    }

    /// <summary>The last value of an unlabelled metric; NaN when absent.</summary>
    public double Last(string metric) => Single(metric)?.Last ?? double.NaN;

    /// <summary>The mean of an unlabelled gauge over the window; NaN when absent.</summary>
    public double Mean(string metric) => Single(metric)?.Mean() ?? double.NaN;

    /// <summary>The per-second rate of an unlabelled counter; NaN when absent or too short.</summary>
    public double Rate(string metric) => Single(metric)?.Rate() ?? double.NaN;

    /// <summary>Summed per-second rate of every series of a counter; NaN when none has a rate.</summary>
    public double SumRate(string metric)
    {
        var any = false;
        double sum = 0;
        foreach (var s in Series(metric))
        {
            var r = s.Rate();
            if (!double.IsNaN(r))
            {
                any = true;
                sum += r;
            }
        }

        return any ? sum : double.NaN;
    }
}
