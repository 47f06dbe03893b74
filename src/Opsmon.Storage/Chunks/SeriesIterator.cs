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
        while (Step())
        {
            if (Timestamp > _maxt)
            {
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
