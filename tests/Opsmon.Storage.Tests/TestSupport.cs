using Microsoft.Extensions.Logging;
using Opsmon.Core.Series;

namespace Opsmon.Storage.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Set(DateTimeOffset now) => _now = now;
}

/// <summary>A data directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "opsmon-storage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Keeps log entries so tests can assert a warning was logged.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}

internal static class Data
{
    public const long Minute = 60_000;
    public const long Hour = 60 * Minute;

    public static readonly DateTimeOffset Epoch = DateTimeOffset.FromUnixTimeMilliseconds(0);

    public static Labels Series(string name, params (string Name, string Value)[] labels) =>
        Labels.From([(Labels.MetricName, name), .. labels]);

    public static List<(long T, double V)> Samples(IStoredSeries series)
    {
        var result = new List<(long, double)>();
        var it = series.Samples();
        while (it.MoveNext())
        {
            result.Add((it.Timestamp, it.Value));
        }

        return result;
    }

    /// <summary>Every series in the store over all time, rendered with its samples, for whole-store comparisons.</summary>
    public static Dictionary<string, List<(long T, double V)>> Dump(IQuerier querier) =>
        querier.Select(long.MinValue, long.MaxValue, [new LabelMatcher(MatcherType.Regex, Labels.MetricName, ".+")])
            .ToDictionary(s => s.Labels.ToString(), Samples);

    /// <summary>Appends <paramref name="count"/> samples every 15 s from <paramref name="start"/> for each series.</summary>
    public static void Fill(Tsdb tsdb, IReadOnlyList<Labels> series, long start, int count, long step = 15_000)
    {
        var appender = tsdb.Appender();
        for (var i = 0; i < count; i++)
        {
            foreach (var labels in series)
            {
                appender.Append(labels, start + (i * step), i);
            }

            appender.Commit();
        }
    }
}
