using Opsmon.Core.Series;
using Opsmon.Storage.Wal;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Blocks;

public sealed class BlockTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new(Epoch);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Maintain_cuts_head_data_older_than_one_block_range_into_a_block()
    {
        using var tsdb = Open();
        Fill(tsdb, [Series("a"), Series("b", ("x", "y"))], 0, (int)(2.5 * Hour / 15_000));
        var before = Dump(tsdb);

        tsdb.Maintain();

        var block = Assert.Single(tsdb.Blocks);
        Assert.Equal((0L, Hour), (block.MinTime, block.MaxTime));
        Assert.Equal(2, block.Stats.NumSeries);
        Assert.Equal(2 * Hour / 15_000, block.Stats.NumSamples);
        Assert.Equal(before, Dump(tsdb));
    }

    [Fact]
    public void Label_names_and_values_come_from_blocks_too()
    {
        using var tsdb = Open();
        Fill(tsdb, [Series("a"), Series("b", ("x", "y"))], 0, (int)(1.5 * Hour / 15_000));
        Fill(tsdb, [Series("c", ("x", "z"))], 2 * Hour, 1);
        tsdb.Maintain();
        Assert.Single(tsdb.Blocks);

        Assert.Equal(["y"], tsdb.LabelValues("x", 0, Hour - 1, []));
        Assert.Equal(["__name__", "x"], tsdb.LabelNames(0, Hour - 1, [LabelMatcher.Equal("__name__", "b")]));
        Assert.Equal(["y", "z"], tsdb.LabelValues("x", 0, 3 * Hour, []));
    }

    [Fact]
    public void Data_in_blocks_and_wal_survives_reopening_and_old_segments_are_checkpointed()
    {
        Dictionary<string, List<(long T, double V)>> before;
        using (var tsdb = Open(segmentSize: 4096))
        {
            Fill(tsdb, [Series("a"), Series("b")], 0, (int)(3 * Hour / 15_000));
            tsdb.Maintain();
            before = Dump(tsdb);
        }

        var walFiles = Directory.GetFiles(Path.Combine(_dir.Path, "wal")).Select(Path.GetFileName).ToList();
        Assert.Contains(walFiles, f => f!.StartsWith("checkpoint.", StringComparison.Ordinal));
        Assert.DoesNotContain("00000001", walFiles);
        using var reopened = Open(segmentSize: 4096);
        Assert.Equal(before, Dump(reopened));
    }

    [Fact]
    public void A_block_with_a_flipped_index_byte_is_quarantined_and_the_rest_served()
    {
        IReadOnlyList<Storage.Blocks.BlockMeta> blocks;
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a")], 0, (int)(3 * Hour / 15_000));
            tsdb.Maintain();
            Fill(tsdb, [Series("a")], 3 * Hour, (int)(2 * Hour / 15_000));
            tsdb.Maintain();
            blocks = tsdb.Blocks;
            Assert.Equal(2, blocks.Count);
        }

        var first = Path.Combine(_dir.Path, blocks[0].Ulid);
        FlipByte(Path.Combine(first, "index"));

        using var reopened = Open();
        Assert.Single(reopened.Blocks);
        Assert.Equal(1, reopened.Stats.QuarantinedBlocks);
        Assert.True(Directory.Exists(Path.Combine(_dir.Path, "quarantine", Path.GetFileName(first))));
        var samples = Dump(reopened).Single().Value;
        Assert.Equal(blocks[1].MinTime, samples[0].T);
        Assert.Equal(3 * Hour, samples[0].T);
    }

    [Fact]
    public void A_block_with_a_corrupt_chunk_serves_the_other_chunks_and_is_quarantined_at_maintenance()
    {
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a"), Series("b")], 0, (int)(2.5 * Hour / 15_000));
            tsdb.Maintain();
        }

        var block = Directory.GetDirectories(_dir.Path).Single(d => Path.GetFileName(d).Length == 26);
        var chunks = Path.Combine(block, "chunks");
        var bytes = File.ReadAllBytes(chunks);
        bytes[20] ^= 0x55;
        File.WriteAllBytes(chunks, bytes);

        using var reopened = Open();
        var dump = Dump(reopened);
        Assert.True(dump["a{}"].Count < dump["b{}"].Count);
        reopened.Maintain();
        Assert.Empty(reopened.Blocks);
        Assert.Equal(1, reopened.Stats.QuarantinedBlocks);
    }

    [Fact]
    public void Retention_deletes_exactly_the_blocks_older_than_the_retention()
    {
        using var tsdb = Open(retention: TimeSpan.FromHours(10));
        Fill(tsdb, [Series("a")], 0, (int)(6 * Hour / 15_000));
        tsdb.Maintain();
        var blocks = tsdb.Blocks;
        Assert.True(blocks.Count >= 2);

        // The first block ends at 1h: at 11h it is just expired, the next (ending later) is not.
        _time.Set(Epoch.AddMilliseconds(blocks[0].MaxTime + (10 * Hour)));
        tsdb.Maintain();

        Assert.Equal(blocks.Skip(1).Select(b => b.Ulid), tsdb.Blocks.Select(b => b.Ulid));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, blocks[0].Ulid)));
    }

    [Fact]
    public void A_query_started_before_retention_deletes_a_block_reads_all_of_its_samples_after_it()
    {
        using var tsdb = Open(retention: TimeSpan.FromHours(10));
        Fill(tsdb, [Series("a")], 0, (int)(6 * Hour / 15_000));
        tsdb.Maintain();
        var first = tsdb.Blocks[0];
        var selected = tsdb.Select(first.MinTime, first.MaxTime - 1, [LabelMatcher.Equal("__name__", "a")]).Single();

        _time.Set(Epoch.AddMilliseconds(first.MaxTime + (10 * Hour)));
        tsdb.Maintain();

        Assert.DoesNotContain(tsdb.Blocks, b => b.Ulid == first.Ulid);
        var samples = Samples(selected);
        Assert.Equal((first.MaxTime - first.MinTime) / 15_000, samples.Count);
        Assert.Equal(Enumerable.Range(0, samples.Count).Select(i => first.MinTime + (i * 15_000L)), samples.Select(s => s.T));
    }

    [Fact]
    public void Size_retention_deletes_the_oldest_blocks_first()
    {
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a")], 0, (int)(6 * Hour / 15_000));
            tsdb.Maintain();
        }

        using var limited = Tsdb.Open(new TsdbOptions(_dir.Path) { BlockRange = TimeSpan.FromHours(1), Time = _time, MaxBytes = 1, WalSync = WalSyncMode.Never });
        var newest = limited.Blocks[^1];
        limited.Maintain();
        Assert.DoesNotContain(limited.Blocks, b => b.MinTime < newest.MinTime);
    }

    [Fact]
    public void Compaction_merges_adjacent_blocks_into_a_larger_range_without_changing_data()
    {
        using var tsdb = Open();
        Fill(tsdb, [Series("a"), Series("b")], 0, (int)(5 * Hour / 15_000));
        var before = Dump(tsdb);

        tsdb.Maintain();

        Assert.Contains(tsdb.Blocks, b => b.MinTime == 0 && b.MaxTime == 3 * Hour && b.Level == 2);
        Assert.Equal(before, Dump(tsdb));
        Assert.Equal(tsdb.Blocks.Count, Directory.GetDirectories(_dir.Path).Count(d => Path.GetFileName(d).Length == 26));
    }

    [Fact]
    public void A_query_started_before_compaction_reads_consistent_data_after_it()
    {
        using var tsdb = Open();
        Fill(tsdb, [Series("a")], 0, (int)(3 * Hour / 15_000));
        tsdb.Maintain();
        Fill(tsdb, [Series("a")], 3 * Hour, (int)(3 * Hour / 15_000));
        var selected = tsdb.Select(long.MinValue, long.MaxValue, [LabelMatcher.Equal("__name__", "a")]).Single();
        var blocksBefore = tsdb.Blocks.Select(b => b.Ulid).ToList();

        tsdb.Maintain();

        Assert.DoesNotContain(tsdb.Blocks, b => blocksBefore.Contains(b.Ulid));
        var samples = Samples(selected);
        Assert.Equal(Enumerable.Range(0, samples.Count).Select(i => i * 15_000L), samples.Select(s => s.T));
        Assert.Equal(6 * Hour / 15_000, samples.Count);
    }

    [Fact]
    public async Task Queries_running_while_maintenance_cuts_and_compacts_see_every_sample()
    {
        using var tsdb = Open();
        Fill(tsdb, [Series("a"), Series("b")], 0, (int)(8 * Hour / 15_000));
        var expected = 2 * 8 * Hour / 15_000;
        var done = false;
        var wrong = new List<long>();
        var reader = Task.Run(() =>
        {
            var runs = 0;
            while (!Volatile.Read(ref done) || runs == 0)
            {
                long count = Dump(tsdb).Values.Sum(s => s.Count);
                if (count != expected)
                {
                    lock (wrong)
                    {
                        wrong.Add(count);
                    }
                }

                runs++;
            }

            return runs;
        });

        tsdb.Maintain();
        Volatile.Write(ref done, true);
        var runs = await reader;

        Assert.Empty(wrong);
        Assert.True(runs > 0);
        Assert.True(tsdb.Blocks.Count > 0);
    }

    [Fact]
    public void Blocks_left_behind_by_a_crash_mid_compaction_are_removed_on_open()
    {
        using (var tsdb = Open())
        {
            Fill(tsdb, [Series("a")], 0, (int)(2.5 * Hour / 15_000));
            tsdb.Maintain();
        }

        // Simulate a crash after the compacted block was written but before its source was deleted.
        var source = Directory.GetDirectories(_dir.Path).Single(d => Path.GetFileName(d).Length == 26);
        var copy = Path.Combine(_dir.Path, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var meta = File.ReadAllText(Path.Combine(copy, "meta.json"));
        var sourceUlid = Path.GetFileName(source);
        File.WriteAllText(Path.Combine(copy, "meta.json"), meta
            .Replace(sourceUlid, "01ARZ3NDEKTSV4RRFFQ69G5FAV", StringComparison.Ordinal)
            .Replace("\"sources\": []", $"\"sources\": [\"{sourceUlid}\"]", StringComparison.Ordinal));

        using var reopened = Open();
        Assert.Equal("01ARZ3NDEKTSV4RRFFQ69G5FAV", Assert.Single(reopened.Blocks).Ulid);
        Assert.False(Directory.Exists(source));
    }

    [Fact]
    public void A_failed_block_write_is_counted_keeps_the_data_in_memory_and_is_retried()
    {
        using var tsdb = Open();
        Fill(tsdb, [Series("a")], 0, (int)(2.5 * Hour / 15_000));
        var before = Dump(tsdb);
        var aside = _dir.Path + ".aside";
        Directory.Move(_dir.Path, aside);
        File.WriteAllText(_dir.Path, "not a directory");
        try
        {
            tsdb.Maintain();

            Assert.Empty(tsdb.Blocks);
            Assert.True(tsdb.Stats.WriteErrors > 0);
            Assert.Equal(before, Dump(tsdb));
        }
        finally
        {
            File.Delete(_dir.Path);
            Directory.Move(aside, _dir.Path);
        }

        tsdb.Maintain();
        Assert.Single(tsdb.Blocks);
        Assert.Equal(before, Dump(tsdb));
    }

    [Fact]
    public void Leftover_temporary_block_directories_are_removed_on_open()
    {
        var leftover = Path.Combine(_dir.Path, "01ARZ3NDEKTSV4RRFFQ69G5FAV.tmp");
        Directory.CreateDirectory(leftover);
        using var tsdb = Open();
        Assert.False(Directory.Exists(leftover));
    }

    private Tsdb Open(long segmentSize = 32L * 1024 * 1024, TimeSpan? retention = null) =>
        Tsdb.Open(new TsdbOptions(_dir.Path)
        {
            BlockRange = TimeSpan.FromHours(1),
            Retention = retention ?? TimeSpan.FromDays(30),
            Time = _time,
            WalSegmentSize = segmentSize,
            WalSync = WalSyncMode.Never,
        });

    private static void FlipByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }
}
