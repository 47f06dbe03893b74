using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Opsmon.Storage.Wal;

/// <summary>
/// A segmented write-ahead log: files 00000001, 00000002, … in one directory, each a sequence of records
/// framed as [u32 payload length][u32 CRC-32C of payload][payload], little-endian, never split across segments.
/// A checkpoint (checkpoint.NNNNNNNN, same framing) replaces segments up to NNNNNNNN once their data is in blocks.
/// Write failures (disk full) are logged and counted, never thrown: the head keeps the data, the partly written
/// record is cut off, and the next commit retries in that segment (a fresh one if the cut failed).
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    private const int HeaderSize = 8;
    private const string CheckpointPrefix = "checkpoint.";

    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(10);

    private readonly string _directory;
    private readonly long _segmentSize;
    private readonly WalSyncMode _syncMode;
    private readonly TimeSpan _syncInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _onWriteError;
    private readonly byte[] _header = new byte[HeaderSize];
    private FileStream? _stream;
    private long _size;
    // Bytes of the current segment handed to the OS whole: a failed write is cut back to here, so that a torn
    // record never sits in front of the segments written after recovery (replay would drop those).
    private long _writtenSize;
    // Set when a failed write was cut off cleanly: writing can resume in the same segment instead of leaving an
    // empty segment behind for every commit while the disk stays full.
    private bool _tailCut;
    private bool _recovering;
    private long _lastSync;
    private bool _failed;
    // While the disk stays full every commit fails: the first failure is logged, later ones are counted and
    // summed up every FailureLogInterval and when writes resume.
    private long _failures;
    private long _unloggedFailures;
    private DateTimeOffset _lastFailureLog;

    public WriteAheadLog(string directory, long segmentSize, WalSyncMode syncMode, TimeSpan syncInterval, TimeProvider time, ILogger logger, Action onWriteError)
    {
        _directory = directory;
        _segmentSize = segmentSize;
        _syncMode = syncMode;
        _syncInterval = syncInterval;
        _time = time;
        _logger = logger;
        _onWriteError = onWriteError;
        Directory.CreateDirectory(directory);
        _lastSync = time.GetTimestamp();
    }

    public int CurrentSegment { get; private set; }

    /// <summary>Set after the log recovered from a write failure: series records written meanwhile may be lost.</summary>
    public bool NeedsSeriesResync { get; set; }

    /// <summary>Number of corrupt or torn tails repaired during <see cref="Replay"/>.</summary>
    public int Repairs { get; private set; }

    /// <summary>
    /// Feeds every valid record to <paramref name="onRecord"/>: the checkpoint, then later segments in order.
    /// A bad record ends the log there: the segment is truncated to the last good record and later segments are
    /// removed (their records would follow a gap). Then opens a new segment for writing.
    /// </summary>
    public void Replay(Action<ReadOnlySpan<byte>> onRecord)
    {
        var (checkpoint, checkpointIndex) = LatestCheckpoint();
        if (checkpoint is not null)
        {
            var data = File.ReadAllBytes(checkpoint);
            var valid = ReadRecords(data, onRecord, out var reason);
            if (valid < data.Length)
            {
                Repairs++;
                _logger.LogWarning("WAL checkpoint {File} is corrupt at offset {Offset} ({Reason}); its later records are ignored", checkpoint, valid, reason);
            }
        }

        var segments = Segments();
        foreach (var (path, _) in segments.Where(s => s.Index <= checkpointIndex))
        {
            TryDelete(path);
        }

        var live = segments.Where(s => s.Index > checkpointIndex).ToList();
        var last = Math.Max(checkpointIndex, segments.Count > 0 ? segments[^1].Index : 0);
        for (var i = 0; i < live.Count; i++)
        {
            var data = File.ReadAllBytes(live[i].Path);
            var valid = ReadRecords(data, onRecord, out var reason);
            if (valid < data.Length)
            {
                Repairs++;
                _logger.LogWarning("WAL segment {File} is corrupt at offset {Offset} ({Reason}); truncating it there and dropping {Later} later segment(s)", live[i].Path, valid, reason, live.Count - i - 1);
                using (var stream = new FileStream(live[i].Path, FileMode.Open, FileAccess.Write))
                {
                    stream.SetLength(valid);
                }

                foreach (var later in live.Skip(i + 1))
                {
                    TryDelete(later.Path);
                }

                break;
            }
        }

        CurrentSegment = last;
        OpenSegment(last + 1);
    }

    /// <summary>Whether the log can take records, reopening it after a failure.</summary>
    public bool EnsureOpen() => (!_failed && _stream is not null) || TryRecover();

    /// <summary>Appends one commit's records; false when they could not be written.</summary>
    public bool Log(IReadOnlyList<ByteBuffer> records)
    {
        if (_failed || _stream is null)
        {
            if (!TryRecover())
            {
                return false;
            }
        }

        try
        {
            foreach (var record in records)
            {
                if (_size > 0 && _size + HeaderSize + record.Length > _segmentSize)
                {
                    Roll();
                }

                BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)record.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), Crc32C.Compute(record.Span));
                _stream!.Write(_header);
                _stream.Write(record.Span);
                _size += HeaderSize + record.Length;
            }

            _stream!.Flush(flushToDisk: false);
            _writtenSize = _size;
            if (_recovering)
            {
                // Said only once a write went through: while the disk stays full, reopening succeeds every time.
                _recovering = false;
                _logger.LogInformation("WAL writes resumed in segment {Segment} after {Failures} failed write(s)", CurrentSegment, _failures);
                _failures = 0;
                _unloggedFailures = 0;
            }

            var now = _time.GetTimestamp();
            if (_syncMode == WalSyncMode.PerCommit ||
                (_syncMode == WalSyncMode.Interval && _time.GetElapsedTime(_lastSync, now) >= _syncInterval))
            {
                _stream.Flush(flushToDisk: true);
                _lastSync = now;
            }

            return true;
        }
        catch (IOException e)
        {
            Fail(e);
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            Fail(e);
            return false;
        }
    }

    /// <summary>
    /// Starts a new segment and folds all earlier ones (and the previous checkpoint) into a checkpoint that keeps
    /// only series the head still holds and samples at or after <paramref name="mint"/>.
    /// </summary>
    public void Checkpoint(Func<ulong, bool> keepSeries, long mint)
    {
        if (_failed || _stream is null)
        {
            return;
        }

        var tmp = string.Empty;
        try
        {
            var upTo = CurrentSegment;
            Roll();
            var (previous, previousIndex) = LatestCheckpoint();
            var sources = new List<string>();
            if (previous is not null)
            {
                sources.Add(previous);
            }

            sources.AddRange(Segments().Where(s => s.Index > previousIndex && s.Index <= upTo).Select(s => s.Path));
            var target = Path.Combine(_directory, CheckpointPrefix + upTo.ToString("D8", CultureInfo.InvariantCulture));
            tmp = target + ".tmp";
            using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                var series = new List<(ulong Ref, Core.Series.Labels Labels)>();
                var samples = new List<RefSample>();
                var buffer = new ByteBuffer();
                var header = new byte[HeaderSize];
                foreach (var source in sources)
                {
                    ReadRecords(File.ReadAllBytes(source), payload =>
                    {
                        series.Clear();
                        samples.Clear();
                        WalRecords.Decode(payload, series, samples);
                        if (series.Count > 0)
                        {
                            series.RemoveAll(s => !keepSeries(s.Ref));
                            if (series.Count == 0)
                            {
                                return;
                            }

                            WalRecords.EncodeSeries(buffer, series);
                        }
                        else
                        {
                            samples.RemoveAll(s => s.Timestamp < mint || !keepSeries(s.Ref));
                            if (samples.Count == 0)
                            {
                                return;
                            }

                            WalRecords.EncodeSamples(buffer, samples);
                        }

                        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)buffer.Length);
                        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), Crc32C.Compute(buffer.Span));
                        output.Write(header);
                        output.Write(buffer.Span);
                    }, out _);
                }

                output.Flush(flushToDisk: true);
            }

            File.Move(tmp, target, overwrite: true);
            if (previous is not null && previous != target)
            {
                TryDelete(previous);
            }

            foreach (var (path, _) in Segments().Where(s => s.Index <= upTo))
            {
                TryDelete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(e, "WAL checkpoint failed; segments are kept and the checkpoint is retried later");
            _onWriteError();
            if (tmp.Length > 0)
            {
                TryDelete(tmp);
            }
        }
    }

    /// <summary>Total bytes of segments and checkpoint.</summary>
    public long SizeBytes() => Directory.EnumerateFiles(_directory).Sum(f => new FileInfo(f).Length);

    public void Dispose()
    {
        try
        {
            _stream?.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            _logger.LogError(e, "Final WAL sync failed");
            _onWriteError();
        }

        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>Calls <paramref name="onRecord"/> per valid record; returns the offset after the last valid one.</summary>
    internal static int ReadRecords(byte[] data, Action<ReadOnlySpan<byte>> onRecord, out string reason)
    {
        var offset = 0;
        reason = string.Empty;
        while (offset < data.Length)
        {
            if (data.Length - offset < HeaderSize)
            {
                reason = "torn record header";
                return offset;
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4));
            if (length == 0 || length > data.Length - offset - HeaderSize)
            {
                reason = length == 0 ? "zero-length record" : "record runs past the end";
                return offset;
            }

            var payload = data.AsSpan(offset + HeaderSize, (int)length);
            if (Crc32C.Compute(payload) != crc)
            {
                reason = "checksum mismatch";
                return offset;
            }

            try
            {
                onRecord(payload);
            }
            catch (InvalidDataException e)
            {
                reason = e.Message;
                return offset;
            }

            offset += HeaderSize + (int)length;
        }

        return offset;
    }

    private (string? Path, int Index) LatestCheckpoint()
    {
        string? best = null;
        var bestIndex = 0;
        foreach (var file in Directory.EnumerateFiles(_directory, CheckpointPrefix + "*"))
        {
            var name = Path.GetFileName(file);
            if (int.TryParse(name.AsSpan(CheckpointPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index >= bestIndex)
            {
                best = file;
                bestIndex = index;
            }
            else if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                TryDelete(file);
            }
        }

        return (best, bestIndex);
    }

    private List<(string Path, int Index)> Segments() =>
        [.. Directory.EnumerateFiles(_directory)
            .Select(f => (Path: f, Name: Path.GetFileName(f)))
            .Where(f => f.Name.Length == 8)
            .Select(f => (f.Path, Index: int.TryParse(f.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1))
            .Where(f => f.Index > 0)
            .OrderBy(f => f.Index)];

    private void Roll()
    {
        _stream?.Flush(flushToDisk: true);
        _writtenSize = _size;
        _stream?.Dispose();
        _stream = null;
        OpenSegment(CurrentSegment + 1);
    }

    private void OpenSegment(int index)
    {
        var path = Path.Combine(_directory, index.ToString("D8", CultureInfo.InvariantCulture));
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);
        _size = _stream.Length;
        _writtenSize = _size;
        CurrentSegment = index;
    }

    private bool TryRecover()
    {
        try
        {
            _stream?.Dispose();
            _stream = null;
            Directory.CreateDirectory(_directory);
            OpenSegment(_tailCut ? CurrentSegment : CurrentSegment + 1);
            _tailCut = false;
            _failed = false;
            NeedsSeriesResync = true;
            _recovering = true;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failed = true;
            _onWriteError();
            return false;
        }
    }

    private void Fail(Exception e)
    {
        var now = _time.GetUtcNow();
        if (_failures++ == 0)
        {
            _lastFailureLog = now;
            _logger.LogError(e, "WAL write failed; samples stay in memory and the next commit retries (further failures are counted, not logged one by one, until writes resume)");
        }
        else if (now - _lastFailureLog >= FailureLogInterval)
        {
            _logger.LogError("WAL write failed {Count} more time(s) since the last message, {Failures} in all; still: {Message}", _unloggedFailures + 1, _failures, e.Message);
            _lastFailureLog = now;
            _unloggedFailures = 0;
        }
        else
        {
            _unloggedFailures++;
        }

        _onWriteError();
        _failed = true;
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // The buffered bytes that could not be written are dropped with the stream.
        }

        _stream = null;
        CutTornTail();
    }

    /// <summary>Removes what a failed write left of a record at the end of the current segment (disk full writes part of it).</summary>
    private void CutTornTail()
    {
        var path = Path.Combine(_directory, CurrentSegment.ToString("D8", CultureInfo.InvariantCulture));
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
            if (stream.Length > _writtenSize)
            {
                stream.SetLength(_writtenSize);
            }

            _tailCut = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The segment is gone or unwritable; if a torn record stays, replay still stops there.
            _logger.LogWarning("Could not cut the partly written record off WAL segment {File}: {Message}", path, e.Message);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Could not delete {File}", path);
        }
    }
}
