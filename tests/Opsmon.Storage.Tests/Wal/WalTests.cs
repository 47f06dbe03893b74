using Microsoft.Extensions.Logging;
using Opsmon.Storage.Wal;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Wal;

public sealed class WalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reopening_after_dispose_restores_the_head_from_the_wal()
    {
        Dictionary<string, List<(long T, double V)>> before;
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a", ("x", "1")), Series("b")], 0, 300);
            before = Dump(tsdb);
        }

        using var reopened = Open();
        Assert.Equal(before, Dump(reopened));
        Assert.Equal(2, before.Count);
    }

    [Fact]
    public void A_truncated_tail_is_cut_off_with_a_warning_and_earlier_records_kept()
    {
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a")], 0, 10);
        }

        var segment = Segments().Last();
        var length = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Open))
        {
            stream.SetLength(length - 5);
        }

        var logger = new ListLogger();
        using var reopened = Tsdb.Open(new TsdbOptions(_dir.Path), logger);
        Assert.Equal(9, Dump(reopened).Single().Value.Count);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("corrupt", StringComparison.Ordinal));
        Assert.Equal(1, reopened.Stats.WalRepairs);
    }

    [Fact]
    public void A_garbage_tail_is_cut_off_and_the_log_stays_writable()
    {
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a")], 0, 10);
        }

        File.AppendAllText(Segments().Last(), "\u0001\u0002garbage that is not a record");
        using (var reopened = Open())
        {
            Assert.Equal(10, Dump(reopened).Single().Value.Count);
            Fill(reopened, [Series("a")], 1_000_000, 5);
        }

        using var third = Open();
        Assert.Equal(15, Dump(third).Single().Value.Count);
    }

    [Fact]
    public void A_flipped_byte_mid_log_keeps_the_records_before_it()
    {
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a")], 0, 10);
        }

        var segment = Segments().Last();
        var bytes = File.ReadAllBytes(segment);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open();
        var count = Dump(reopened).Single().Value.Count;
        Assert.InRange(count, 1, 9);
    }

    [Fact]
    public void Segments_roll_at_the_configured_size()
    {
        using (var tsdb = Open(segmentSize: 1024))
        {
            Fill(tsdb, [Series("a"), Series("b")], 0, 200);
        }

        Assert.True(Segments().Count > 3);
        using var reopened = Open(segmentSize: 1024);
        Assert.All(Dump(reopened).Values, s => Assert.Equal(200, s.Count));
    }

    [Fact]
    public void A_write_error_is_counted_appends_continue_in_memory_and_writing_resumes()
    {
        var walDir = Path.Combine(_dir.Path, "wal");
        using (var tsdb = Open(segmentSize: 1024))
        {
            Fill(tsdb, [Series("a")], 0, 10);
            // Replacing the WAL directory by a file makes the next segment impossible to create.
            Directory.Delete(walDir, recursive: true);
            File.WriteAllText(walDir, "not a directory");
            Fill(tsdb, [Series("a")], 1_000_000, 100);

            Assert.True(tsdb.Stats.WriteErrors > 0);
            Assert.Equal(110, Dump(tsdb).Single().Value.Count);

            File.Delete(walDir);
            Fill(tsdb, [Series("a"), Series("b")], 10_000_000, 3);
        }

        using var reopened = Open(segmentSize: 1024);
        var dump = Dump(reopened);
        // The samples written while the log was failing are lost on restart; those after recovery are not.
        Assert.Equal(3, dump["a{}"].Count);
        Assert.Equal(3, dump["b{}"].Count);
    }

    [Fact]
    public void Per_commit_sync_is_the_default()
    {
        Assert.Equal(WalSyncMode.PerCommit, new TsdbOptions("x").WalSync);
    }

    private Tsdb Open(long segmentSize = 32L * 1024 * 1024) =>
        Tsdb.Open(new TsdbOptions(_dir.Path) { WalSegmentSize = segmentSize, WalSync = WalSyncMode.Never });

    private List<string> Segments() =>
        [.. Directory.GetFiles(Path.Combine(_dir.Path, "wal")).Where(f => Path.GetFileName(f).Length == 8).Order(StringComparer.Ordinal)];
}
