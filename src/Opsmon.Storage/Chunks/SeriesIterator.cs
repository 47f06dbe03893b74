using System.Runtime.CompilerServices;
using Opsmon.Core.Series;

namespace Opsmon.Storage.Chunks;

/// <summary>
/// Iterates a series' chunks (from the head and any number of blocks) in time order within [mint, maxt].
/// Chunks that do not overlap are read one after another; overlapping ones (from backfilled blocks) are
/// merged, keeping the first sample of equal timestamps.
/// </summary>
internal sealed class SeriesIterator : ISampleIterator
{
    private readonly IReadOnlyList<ChunkHandle> _chunks;
    private readonly long _mint;
    private readonly long _maxt;
    private readonly bool _overlapping;
    private ChunkIterator?[]? _merged;
    private bool[]? _pending;
    private ChunkIterator? _current;
    private int _next;
    private long _last = long.MinValue;
    private bool _done;

    public SeriesIterator(IReadOnlyList<ChunkHandle> chunksByMinTime, long mint, long maxt)
    {
        _chunks = chunksByMinTime;
        _mint = mint;
        _maxt = maxt;
        for (var i = 1; i < _chunks.Count; i++)
        {
            if (_chunks[i].MinTime <= _chunks[i - 1].MaxTime)
            {
                _overlapping = true;
                break;
            }
        }
    }

    public long Timestamp { get; private set; }

    public double Value { get; private set; }

    public bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        while (Step())
        {
            if (Timestamp > _maxt)
            {
                _done = true;
                return false;
            }

            if (Timestamp >= _mint && Timestamp > _last)
            {
                _last = Timestamp;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads whole runs of samples from each chunk in turn (merging overlapping chunks sample by sample), keeping
    /// those in [mint, maxt] after the last one returned.
    /// </summary>
    // Per-sample loops: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Read(Span<long> timestamps, Span<double> values)
    {
        var capacity = Math.Min(timestamps.Length, values.Length);
        var n = 0;
        if (_overlapping)
        {
            while (n < capacity && MoveNext())
            {
                (timestamps[n], values[n]) = (Timestamp, Value);
                n++;
            }

            return n;
        }

        while (n < capacity && !_done)
        {
            if (_current is null)
            {
                if (_next >= _chunks.Count)
                {
                    _done = true;
                    break;
                }

                var chunk = _chunks[_next++];
                _current = chunk.MaxTime < _mint || chunk.MinTime > _maxt ? null : chunk.Open();
                continue;
            }

            var got = _current.Read(timestamps[n..capacity], values[n..capacity]);
            if (got == 0)
            {
                _current = null;
                continue;
            }

            // Keep the samples in range in place; the first past maxt ends the series.
            var end = n + got;
            for (var j = n; j < end; j++)
            {
                var t = timestamps[j];
                if (t > _maxt)
                {
                    _done = true;
                    break;
                }

                if (t >= _mint && t > _last)
                {
                    (timestamps[n], values[n]) = (t, values[j]);
                    _last = t;
                    n++;
                }
            }
        }

        if (n > 0)
        {
            (Timestamp, Value) = (timestamps[n - 1], values[n - 1]);
        }

        return n;
    }

    private bool Step() => _overlapping ? StepMerged() : StepSequential();

    private bool StepSequential()
    {
        while (true)
        {
            if (_current is not null && _current.MoveNext())
            {
                Timestamp = _current.Timestamp;
                Value = _current.Value;
                return true;
            }

            if (_next >= _chunks.Count)
            {
                return false;
            }

            var chunk = _chunks[_next++];
            _current = chunk.MaxTime < _mint || chunk.MinTime > _maxt ? null : chunk.Open();
        }
    }

    private bool StepMerged()
    {
        if (_merged is null)
        {
            _merged = new ChunkIterator?[_chunks.Count];
            _pending = new bool[_chunks.Count];
            for (var i = 0; i < _chunks.Count; i++)
            {
                _merged[i] = _chunks[i].MaxTime < _mint || _chunks[i].MinTime > _maxt ? null : _chunks[i].Open();
                _pending[i] = _merged[i]?.MoveNext() ?? false;
            }
        }

        var best = -1;
        for (var i = 0; i < _merged.Length; i++)
        {
            // Drop samples already passed (duplicates across overlapping chunks).
            while (_pending![i] && _merged[i]!.Timestamp <= _last)
            {
                _pending[i] = _merged[i]!.MoveNext();
            }

            if (_pending[i] && (best < 0 || _merged[i]!.Timestamp < _merged[best]!.Timestamp))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            return false;
        }

        Timestamp = _merged[best]!.Timestamp;
        Value = _merged[best]!.Value;
        _pending![best] = _merged[best]!.MoveNext();
        return true;
    }
}

/// <summary>A selected series: its labels and the chunks that cover the selected range.</summary>
internal sealed class StoredSeries(Labels labels, IReadOnlyList<ChunkHandle> chunks, long mint, long maxt) : IStoredSeries
{
    public Labels Labels { get; } = labels;

    public IReadOnlyList<ChunkHandle> Chunks { get; } = chunks;

    public ISampleIterator Samples() => new SeriesIterator(Chunks, mint, maxt);
}
