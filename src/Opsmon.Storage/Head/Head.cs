using Opsmon.Core.Series;
using Opsmon.Storage.Chunks;
using Opsmon.Storage.Index;

namespace Opsmon.Storage.Head;

/// <summary>
/// The in-memory part of the store: recent series with their open chunks, indexed by postings.
/// The series maps and postings are guarded by one lock held only for lookups; chunk data by one of
/// <see cref="SeriesLocks"/> locks shared by series (a lock object per series would cost more than its chunks).
/// A new series' label strings are replaced by the postings' copies, so each distinct name and value is held once.
/// </summary>
internal sealed class Head(long blockRange)
{
    private const int SeriesLocks = 64;

    private readonly Lock _gate = new();
    private readonly Lock[] _seriesLocks = [.. Enumerable.Range(0, SeriesLocks).Select(_ => new Lock())];
    private readonly Dictionary<Labels, MemSeries> _byLabels = [];
    private readonly Dictionary<ulong, MemSeries> _byRef = [];
    private readonly MemPostings _postings = new();
    private ulong _nextRef = 1;
    private long _outOfOrder;
    private long _duplicates;
    private long _samples;

    public long BlockRange { get; } = blockRange;

    public long OutOfOrderSamples => Interlocked.Read(ref _outOfOrder);

    public long DuplicateSamples => Interlocked.Read(ref _duplicates);

    public long AppendedSamples => Interlocked.Read(ref _samples);

    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                return _byRef.Count;
            }
        }
    }

    public MemSeries GetOrCreate(Labels labels, out bool created)
    {
        lock (_gate)
        {
            if (_byLabels.TryGetValue(labels, out var series))
            {
                created = false;
                return series;
            }

            series = Add(_nextRef++, labels);
            created = true;
            return series;
        }
    }

    /// <summary>Recreates a series under the ref the WAL recorded for it.</summary>
    public MemSeries Restore(ulong seriesRef, Labels labels)
    {
        lock (_gate)
        {
            // A series recreated after truncation gets a new ref; both refs then lead to one series.
            if (_byLabels.TryGetValue(labels, out var existing))
            {
                _nextRef = Math.Max(_nextRef, seriesRef + 1);
                return existing;
            }

            if (_byRef.ContainsKey(seriesRef))
            {
                seriesRef = _nextRef;
            }

            var series = Add(seriesRef, labels);
            _nextRef = Math.Max(_nextRef, seriesRef + 1);
            return series;
        }
    }

    public MemSeries? Get(ulong seriesRef)
    {
        lock (_gate)
        {
            return _byRef.GetValueOrDefault(seriesRef);
        }
    }

    public bool Contains(ulong seriesRef) => Get(seriesRef) is not null;

    public IReadOnlyList<MemSeries> AllSeries()
    {
        lock (_gate)
        {
            return [.. _byRef.Values];
        }
    }

    public AppendOutcome Append(MemSeries series, long timestamp, double value)
    {
        var outcome = series.Append(timestamp, value, BlockRange);
        switch (outcome)
        {
            case AppendOutcome.Appended:
                Interlocked.Increment(ref _samples);
                break;
            case AppendOutcome.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
            default:
                Interlocked.Increment(ref _outOfOrder);
                break;
        }

        return outcome;
    }

    /// <summary>Oldest sample time in the head, or long.MaxValue when empty.</summary>
    public long MinTime() => AllSeries().Select(s => s.MinTime).DefaultIfEmpty(long.MaxValue).Min();

    /// <summary>Newest sample time in the head, or long.MinValue when empty.</summary>
    public long MaxTime() => AllSeries().Select(s => s.MaxTime).DefaultIfEmpty(long.MinValue).Max();

    /// <summary>Drops chunks wholly before <paramref name="mint"/> and series left without chunks.</summary>
    public void Truncate(long mint)
    {
        lock (_gate)
        {
            var removed = new HashSet<ulong>();
            foreach (var series in _byRef.Values)
            {
                if (series.TruncateBefore(mint))
                {
                    removed.Add(series.Ref);
                }
            }

            foreach (var seriesRef in removed)
            {
                _byLabels.Remove(_byRef[seriesRef].Labels);
                _byRef.Remove(seriesRef);
            }

            _postings.Remove(removed);
        }
    }

    /// <summary>Series matching <paramref name="matchers"/> with chunks in [mint, maxt], unsorted.</summary>
    public List<(Labels Labels, List<ChunkHandle> Chunks)> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        List<MemSeries> candidates;
        lock (_gate)
        {
            candidates = [.. Postings.Select(_postings, matchers).Select(r => _byRef[r])];
        }

        var result = new List<(Labels, List<ChunkHandle>)>(candidates.Count);
        foreach (var series in candidates)
        {
            var chunks = series.Snapshot(mint, maxt);
            if (chunks.Count > 0)
            {
                result.Add((series.Labels, chunks));
            }
        }

        return result;
    }

    /// <summary>Label sets of the series <see cref="Select"/> would return, without reading chunks.</summary>
    public List<Labels> SelectLabels(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        List<MemSeries> candidates;
        lock (_gate)
        {
            candidates = [.. Postings.Select(_postings, matchers).Select(r => _byRef[r])];
        }

        return [.. candidates.Where(s => s.Overlaps(mint, maxt)).Select(s => s.Labels)];
    }

    private MemSeries Add(ulong seriesRef, Labels labels)
    {
        var series = new MemSeries(seriesRef, _postings.Add(seriesRef, labels), _seriesLocks[(int)(seriesRef % SeriesLocks)]);
        _byLabels[series.Labels] = series;
        _byRef[series.Ref] = series;
        return series;
    }
}
