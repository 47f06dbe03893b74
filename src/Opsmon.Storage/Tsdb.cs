using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Opsmon.Core.Series;
using Opsmon.Storage.Blocks;
using Opsmon.Storage.Chunks;
using Opsmon.Storage.Head;
using Opsmon.Storage.Import;
using Opsmon.Storage.Wal;

namespace Opsmon.Storage;

/// <summary>
/// The embedded time-series store: an in-memory head backed by a WAL, cut into immutable blocks on disk,
/// compacted and expired by <see cref="Maintain"/>, which the agent calls periodically (there are no timers
/// inside). Queries see the head and a snapshot of the block list, so they stay consistent while maintenance
/// replaces or deletes blocks.
/// </summary>
public sealed class Tsdb : IQuerier, IDisposable
{
    private const string WalDirectory = "wal";
    private const string QuarantineDirectory = "quarantine";

    private readonly TsdbOptions _options;
    private readonly ILogger _logger;
    private readonly Head.Head _head;
    private readonly WriteAheadLog _wal;
    private readonly Lock _appendGate = new();
    private readonly Lock _maintainGate = new();
    private readonly long _blockRange;
    private readonly IReadOnlyList<long> _ranges;
    private readonly ByteBuffer _seriesRecord = new();
    private readonly ByteBuffer _samplesRecord = new();
    private volatile Block[] _blocks = [];
    private long _writeErrors;
    private int _quarantined;
    private bool _disposed;
    private StoreLock? _lock;

    private Tsdb(TsdbOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _blockRange = (long)options.BlockRange.TotalMilliseconds;
        _ranges = Compactor.Ranges(_blockRange, (long)options.Retention.TotalMilliseconds);
        _head = new Head.Head(_blockRange);
        _wal = new WriteAheadLog(Path.Combine(options.DataDirectory, WalDirectory), options.WalSegmentSize, options.WalSync,
            options.WalSyncInterval, options.Time, logger, () => Interlocked.Increment(ref _writeErrors));
    }

    public TsdbOptions Options => _options;

    /// <summary>Opens (creating if needed) the store in <see cref="TsdbOptions.DataDirectory"/>: loads blocks, quarantining unreadable ones, and replays the WAL into the head.</summary>
    public static Tsdb Open(TsdbOptions options, ILogger? logger = null)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDirectory);
        var storeLock = StoreLock.Acquire(options.DataDirectory);
        try
        {
            var tsdb = new Tsdb(options, logger ?? NullLogger.Instance) { _lock = storeLock };
            tsdb.LoadBlocks();
            tsdb.ReplayWal();
            return tsdb;
        }
        catch
        {
            storeLock.Dispose();
            throw;
        }
    }

    public TsdbStats Stats
    {
        get
        {
            var blocks = _blocks;
            return new TsdbStats(_head.AppendedSamples, _head.OutOfOrderSamples, _head.DuplicateSamples,
                Interlocked.Read(ref _writeErrors), _wal.Repairs, Volatile.Read(ref _quarantined), _head.SeriesCount,
                blocks.Length, blocks.Sum(b => b.SizeBytes));
        }
    }

    /// <summary>Metadata of the blocks currently served, oldest first.</summary>
    public IReadOnlyList<BlockMeta> Blocks => [.. _blocks.Select(b => b.Meta)];

    /// <summary>A new appender; samples become visible and durable on its Commit.</summary>
    public IAppender Appender() => new HeadAppender(this);

    /// <summary>An appender for one scrape target that writes staleness markers for series that disappear.</summary>
    public ScrapeAppender ScrapeAppender() => new(Appender());

    /// <summary>Backfills an OpenMetrics file into blocks; all or nothing.</summary>
    public ImportResult Import(string path) => new OpenMetricsImporter(this).ImportFile(path);

    /// <summary>
    /// Cuts head data into blocks, compacts, applies retention and quarantines blocks found corrupt.
    /// Write failures are logged and counted (<see cref="TsdbStats.WriteErrors"/>); the data stays in memory and
    /// the next call tries again.
    /// </summary>
    public void Maintain()
    {
        lock (_maintainGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            QuarantineCorrupt();
            CutHead();
            Compact();
            ApplyRetention();
        }
    }

    public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var bySeries = new Dictionary<Labels, List<ChunkHandle>>();
        // Head before blocks: a cut adds its block before truncating the head, so data moving from one to the
        // other is seen at least once (twice merges to once) and never missed.
        Add(bySeries, _head.Select(mint, maxt, matchers));
        foreach (var block in _blocks)
        {
            if (block.Meta.MaxTime > mint && block.Meta.MinTime <= maxt)
            {
                Add(bySeries, block.Select(mint, maxt, matchers));
            }
        }
        var result = new List<IStoredSeries>(bySeries.Count);
        foreach (var labels in bySeries.Keys.Order())
        {
            var chunks = bySeries[labels];
            chunks.Sort(static (a, b) => a.MinTime.CompareTo(b.MinTime));
            result.Add(new StoredSeries(labels, chunks, mint, maxt));
        }

        return result;
    }

    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var labels in SelectLabels(mint, maxt, matchers))
        {
            foreach (var label in labels.AsSpan())
            {
                names.Add(label.Name);
            }
        }

        return [.. names.Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var labels in SelectLabels(mint, maxt, matchers))
        {
            var value = labels.Get(name);
            if (value.Length > 0)
            {
                values.Add(value);
            }
        }

        return [.. values.Order(StringComparer.Ordinal)];
    }

    /// <summary>Distinct label sets of series with data in [mint, maxt] matching <paramref name="matchers"/>, unordered.</summary>
    private HashSet<Labels> SelectLabels(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var result = new HashSet<Labels>(_head.SelectLabels(mint, maxt, matchers));
        foreach (var block in _blocks)
        {
            if (block.Meta.MaxTime > mint && block.Meta.MinTime <= maxt)
            {
                result.UnionWith(block.SelectLabels(mint, maxt, matchers));
            }
        }

        return result;
    }

    /// <summary>Syncs the WAL and closes files. The head is not cut: the WAL restores it on the next open.</summary>
    public void Dispose()
    {
        lock (_maintainGate)
        {
            lock (_appendGate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                _wal.Dispose();
                foreach (var block in _blocks)
                {
                    block.Dispose();
                }

                _lock?.Dispose();
            }
        }
    }

    internal void Commit(List<(Labels Labels, long Timestamp, double Value)> pending)
    {
        lock (_appendGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var created = new List<(ulong, Labels)>();
            var resolved = new List<(MemSeries Series, long Timestamp, double Value)>(pending.Count);
            var samples = new List<RefSample>(pending.Count);
            foreach (var (labels, timestamp, value) in pending)
            {
                var series = _head.GetOrCreate(labels, out var isNew);
                if (isNew)
                {
                    created.Add((series.Ref, labels));
                }

                resolved.Add((series, timestamp, value));
                samples.Add(new RefSample(series.Ref, timestamp, value));
            }

            if (_wal.EnsureOpen() && _wal.NeedsSeriesResync)
            {
                // Series records may have been lost while the WAL could not be written: restate them all.
                created = [.. _head.AllSeries().Select(s => (s.Ref, s.Labels))];
                _wal.NeedsSeriesResync = false;
            }

            var records = new List<ByteBuffer>(2);
            if (created.Count > 0)
            {
                WalRecords.EncodeSeries(_seriesRecord, created);
                records.Add(_seriesRecord);
            }

            WalRecords.EncodeSamples(_samplesRecord, samples);
            records.Add(_samplesRecord);
            _wal.Log(records);
            foreach (var (series, timestamp, value) in resolved)
            {
                _head.Append(series, timestamp, value);
            }
        }
    }

    /// <summary>Writes series into a new block in <paramref name="parent"/> (the data directory unless staging).</summary>
    internal BlockMeta? WriteBlock(string parent, IEnumerable<(Labels Labels, IReadOnlyList<ChunkToWrite> Chunks)> series, int level, IReadOnlyList<string> sources, (long MinTime, long MaxTime)? range = null) =>
        BlockWriter.Write(parent, Ulid.New(_options.Time), series, level, sources, range);

    /// <summary>The range imported blocks are cut to: the largest compaction range.</summary>
    internal long ImportBlockRange => _ranges[^1];

    /// <summary>Moves fully written blocks from a staging directory into the store and serves them.</summary>
    internal void AdoptBlocks(string stagingDirectory, IReadOnlyList<BlockMeta> metas)
    {
        lock (_maintainGate)
        {
            var opened = new List<Block>();
            foreach (var meta in metas)
            {
                var target = Path.Combine(_options.DataDirectory, meta.Ulid);
                Directory.Move(Path.Combine(stagingDirectory, meta.Ulid), target);
                opened.Add(Block.Open(target));
            }

            _blocks = [.. _blocks.Concat(opened).OrderBy(b => b.Meta.MinTime)];
        }
    }

    private static void Add(Dictionary<Labels, List<ChunkHandle>> bySeries, List<(Labels Labels, List<ChunkHandle> Chunks)> selected)
    {
        foreach (var (labels, chunks) in selected)
        {
            if (bySeries.TryGetValue(labels, out var list))
            {
                list.AddRange(chunks);
            }
            else
            {
                bySeries[labels] = chunks;
            }
        }
    }

    private void LoadBlocks()
    {
        var blocks = new List<Block>();
        foreach (var directory in Directory.EnumerateDirectories(_options.DataDirectory))
        {
            var name = Path.GetFileName(directory);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A block write, compaction or import that did not finish.
                Directory.Delete(directory, recursive: true);
                continue;
            }

            if (!Ulid.IsValid(name))
            {
                continue;
            }

            try
            {
                blocks.Add(Block.Open(directory));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
            {
                Quarantine(directory, e.Message);
            }
        }

        // A crash between writing a compacted block and deleting its sources leaves both; the sources go.
        var replaced = blocks.SelectMany(b => b.Meta.Sources).ToHashSet(StringComparer.Ordinal);
        foreach (var block in blocks.Where(b => replaced.Contains(b.Meta.Ulid)).ToList())
        {
            block.Dispose();
            Directory.Delete(block.Directory, recursive: true);
            blocks.Remove(block);
        }

        _blocks = [.. blocks.OrderBy(b => b.Meta.MinTime)];
    }

    private void ReplayWal()
    {
        var refs = new Dictionary<ulong, MemSeries>();
        var series = new List<(ulong Ref, Labels Labels)>();
        var samples = new List<RefSample>();
        _wal.Replay(payload =>
        {
            series.Clear();
            samples.Clear();
            WalRecords.Decode(payload, series, samples);
            foreach (var (seriesRef, labels) in series)
            {
                refs[seriesRef] = _head.Restore(seriesRef, labels);
            }

            foreach (var sample in samples)
            {
                if (refs.TryGetValue(sample.Ref, out var memSeries))
                {
                    memSeries.Append(sample.Timestamp, sample.Value, _blockRange);
                }
            }
        });

        // The head may hold series created but never given a sample; they would only linger.
        _head.Truncate(long.MinValue);
    }

    private void CutHead()
    {
        lock (_appendGate)
        {
            while (true)
            {
                var mint = _head.MinTime();
                var maxt = _head.MaxTime();
                // As Prometheus: cut once the head spans 1.5 block ranges, keeping the newest half range in memory.
                if (mint == long.MaxValue || maxt - mint < _blockRange * 3 / 2)
                {
                    return;
                }

                var end = (Compactor.FloorDiv(mint, _blockRange) + 1) * _blockRange;
                var series = _head.AllSeries()
                    .OrderBy(s => s.Labels)
                    .Select(s => (s.Labels, (IReadOnlyList<ChunkToWrite>)Seal(s.ChunksBefore(end))));
                try
                {
                    var meta = WriteBlock(_options.DataDirectory, series, 1, [], (end - _blockRange, end));
                    if (meta is not null)
                    {
                        _blocks = [.. _blocks.Append(Block.Open(Path.Combine(_options.DataDirectory, meta.Ulid))).OrderBy(b => b.Meta.MinTime)];
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Interlocked.Increment(ref _writeErrors);
                    _logger.LogError(e, "Writing a block from the head failed; the data stays in memory and the cut is retried at the next maintenance");
                    return;
                }

                _head.Truncate(end);
                _wal.Checkpoint(_head.Contains, end);
            }
        }
    }

    /// <summary>Head chunks (appendable, 120 samples) re-encoded as sealed chunks for a block.</summary>
    private static List<ChunkToWrite> Seal(List<(XorChunkData Data, long MinTime, long MaxTime)> chunks) =>
        Compactor.Encode(new SeriesIterator([.. chunks.Select(c => (ChunkHandle)new MemChunkHandle(c.Data.Bytes, c.Data.Count, c.MinTime, c.MaxTime))], long.MinValue, long.MaxValue));

    private void Compact()
    {
        // Bounded so that one call cannot run for ever on a pathological plan.
        for (var round = 0; round < 16; round++)
        {
            var blocks = _blocks;
            var plan = Compactor.Plan([.. blocks.Select(b => b.Meta)], _ranges);
            if (plan.Count == 0)
            {
                return;
            }

            var ulids = plan.Select(m => m.Ulid).ToHashSet(StringComparer.Ordinal);
            var sources = blocks.Where(b => ulids.Contains(b.Meta.Ulid)).ToList();
            Block? merged = null;
            try
            {
                var meta = WriteBlock(_options.DataDirectory, Compactor.Merge(sources), sources.Max(b => b.Meta.Level) + 1,
                    [.. sources.SelectMany(b => b.Meta.Sources.Append(b.Meta.Ulid)).Distinct()],
                    (sources.Min(b => b.Meta.MinTime), sources.Max(b => b.Meta.MaxTime)));
                if (meta is not null)
                {
                    merged = Block.Open(Path.Combine(_options.DataDirectory, meta.Ulid));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref _writeErrors);
                _logger.LogError(e, "Compacting {Count} blocks failed; they are kept and compaction is retried later", sources.Count);
                return;
            }

            if (sources.Exists(b => b.Corrupt))
            {
                // A source lost chunks while being read: keep it for quarantine rather than bury the loss in a merge.
                merged?.Dispose();
                if (merged is not null)
                {
                    Delete(merged);
                }

                return;
            }

            _blocks = [.. _blocks.Where(b => !ulids.Contains(b.Meta.Ulid)).Concat(merged is null ? [] : [merged]).OrderBy(b => b.Meta.MinTime)];
            foreach (var source in sources)
            {
                Delete(source);
            }
        }
    }

    private void ApplyRetention()
    {
        var cutoff = _options.Time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.Retention.TotalMilliseconds;
        var blocks = _blocks;
        var expired = blocks.Where(b => b.Meta.MaxTime <= cutoff).ToList();
        if (_options.MaxBytes > 0)
        {
            var total = blocks.Sum(b => b.SizeBytes) + _wal.SizeBytes();
            foreach (var block in blocks.OrderBy(b => b.Meta.MinTime))
            {
                if (total <= _options.MaxBytes)
                {
                    break;
                }

                total -= block.SizeBytes;
                if (!expired.Contains(block))
                {
                    expired.Add(block);
                }
            }
        }

        if (expired.Count == 0)
        {
            return;
        }

        _blocks = [.. blocks.Except(expired)];
        foreach (var block in expired)
        {
            _logger.LogInformation("Retention deletes block {Block} [{MinTime}, {MaxTime})", block.Meta.Ulid, block.Meta.MinTime, block.Meta.MaxTime);
            Delete(block);
        }
    }

    private void QuarantineCorrupt()
    {
        var corrupt = _blocks.Where(b => b.Corrupt).ToList();
        if (corrupt.Count == 0)
        {
            return;
        }

        _blocks = [.. _blocks.Except(corrupt)];
        foreach (var block in corrupt)
        {
            Quarantine(block.Directory, "a chunk failed its checksum");
        }
    }

    private void Quarantine(string directory, string reason)
    {
        Interlocked.Increment(ref _quarantined);
        var target = Path.Combine(_options.DataDirectory, QuarantineDirectory, Path.GetFileName(directory));
        _logger.LogError("Block {Block} is corrupt ({Reason}); moved to {Target} and no longer served", directory, reason, target);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            Directory.Move(directory, target);
        }
        catch (IOException e)
        {
            _logger.LogError(e, "Could not move corrupt block {Block} aside", directory);
        }
    }

    private void Delete(Block block)
    {
        // The file handle stays open: a query that took the old block list may still read it.
        try
        {
            Directory.Delete(block.Directory, recursive: true);
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _writeErrors);
            _logger.LogError(e, "Could not delete block {Block}", block.Directory);
        }
    }
}
