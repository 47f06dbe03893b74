using System.Globalization;
using System.Text;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Storage;

/// <summary>
/// A damaged data directory at start-up: the agent repairs what it can (a WAL cut at its last valid record, a
/// broken block moved to quarantine/), says so in its log and metrics, serves the rest, and never crashes.
/// </summary>
public sealed class CorruptionRecoveryTests : IDisposable
{
    private static readonly TimeSpan StepSeconds = TimeSpan.FromSeconds(15);

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-corrupt-");

    private string Data => Path.Combine(_dir.FullName, "data");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_wal_segment_cut_mid_record_with_garbage_after_is_repaired_and_earlier_samples_served()
    {
        double early;
        double countEarly;
        double bootEarly;
        await using (var agent = await StorageAgent.StartAsync(Data))
        {
            early = await agent.WaitForAsync("timestamp(node_boot_time_seconds)", _ => true, TimeSpan.FromSeconds(40));
            countEarly = (await agent.QueryAsync("count_over_time(node_boot_time_seconds[1h])", early))!.Value;
            bootEarly = (await agent.QueryAsync("node_boot_time_seconds", early))!.Value;
            // Later commits, so that the damage at the end of the log cannot reach the early sample.
            await agent.WaitForAsync("timestamp(node_boot_time_seconds)", t => t >= early + 3, TimeSpan.FromSeconds(30));
            await agent.StopAsync();
        }

        var segment = Directory.GetFiles(Path.Combine(Data, "wal")).Where(f => Path.GetFileName(f).All(char.IsAsciiDigit)).Max(StringComparer.Ordinal)!;
        using (var stream = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.True(stream.Length > 64, $"{segment} holds only {stream.Length} bytes");
            stream.SetLength(stream.Length - 7);
            stream.Seek(0, SeekOrigin.End);
            stream.Write(Encoding.ASCII.GetBytes("this is not a WAL record, just garbage after a torn one"));
        }

        await using var restarted = await StorageAgent.StartAsync(Data);

        Assert.Contains($"WAL segment {segment} is corrupt", restarted.Log, StringComparison.Ordinal);
        Assert.Equal(1, await restarted.SelfMetricAsync("opsmon_tsdb_wal_repairs_total"));
        Assert.Equal(countEarly, await restarted.QueryAsync("count_over_time(node_boot_time_seconds[1h])", early));
        Assert.Equal(bootEarly, await restarted.QueryAsync("node_boot_time_seconds", early));
        await restarted.WaitForAsync("timestamp(node_boot_time_seconds)", t => t > early + 4, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_block_with_a_flipped_index_byte_is_quarantined_and_the_other_blocks_served()
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var good = await ImportBlockAsync("good", now - (10 * 86_400));
        var bad = await ImportBlockAsync("bad", now - (5 * 86_400));
        FlipByte(Path.Combine(Data, bad.Ulid, "index"));

        await using var agent = await StorageAgent.StartAsync(Data);

        Assert.Contains($"Block {Path.Combine(Data, bad.Ulid)} is corrupt", agent.Log, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(Data, "quarantine", bad.Ulid)), agent.Log);
        Assert.Equal(1, await agent.SelfMetricAsync("opsmon_tsdb_quarantined_blocks"));
        Assert.Equal(good.LastValue, await agent.QueryAsync("reliab_imported{part=\"good\"}", good.LastTime));
        Assert.Null(await agent.QueryAsync("reliab_imported{part=\"bad\"}", bad.LastTime));
        await agent.WaitForAsync("timestamp(node_boot_time_seconds)", _ => true, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_block_with_a_flipped_chunk_byte_answers_queries_without_the_broken_chunk_and_is_quarantined()
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var good = await ImportBlockAsync("good", now - (10 * 86_400));
        var bad = await ImportBlockAsync("bad", now - (5 * 86_400));
        var chunks = Path.Combine(Data, bad.Ulid, "chunks");
        // Past the file's 5-byte header, inside the one chunk of the one series.
        FlipByte(chunks, offset: (int)(new FileInfo(chunks).Length / 2));

        await using var agent = await StorageAgent.StartAsync(Data);

        Assert.Null(await agent.QueryAsync("reliab_imported{part=\"bad\"}", bad.LastTime));
        Assert.Equal(good.LastValue, await agent.QueryAsync("reliab_imported{part=\"good\"}", good.LastTime));
        // The agent runs maintenance once a minute; that moves the block found corrupt aside.
        await agent.WaitForSelfMetricAsync("opsmon_tsdb_quarantined_blocks", q => q == 1, TimeSpan.FromSeconds(90));
        Assert.True(Directory.Exists(Path.Combine(Data, "quarantine", bad.Ulid)), agent.Log);
        Assert.Contains("a chunk failed its checksum", agent.Log, StringComparison.Ordinal);
        Assert.Equal(good.LastValue, await agent.QueryAsync("reliab_imported{part=\"good\"}", good.LastTime));
    }

    /// <summary>Imports one series of 40 samples (15 s apart) from <paramref name="start"/> into a block of its own.</summary>
    private async Task<(string Ulid, double LastTime, double LastValue)> ImportBlockAsync(string part, long start)
    {
        var before = BlockDirectories();
        var text = new StringBuilder("# TYPE reliab_imported gauge\n");
        const int Samples = 40;
        for (var i = 0; i < Samples; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"reliab_imported{{part=\"{part}\"}} {i * 1.5} {start + (i * (long)StepSeconds.TotalSeconds)}\n");
        }

        text.Append("# EOF\n");
        var file = Path.Combine(_dir.FullName, part + ".om");
        await File.WriteAllTextAsync(file, text.ToString());

        var import = await CliRun.RunAsync("import", file, "--data", Data);

        Assert.True(import.ExitCode == 0, import.Stderr);
        var added = BlockDirectories().Except(before).ToList();
        Assert.Single(added);
        return (added[0], start + ((Samples - 1) * StepSeconds.TotalSeconds), (Samples - 1) * 1.5);
    }

    private List<string> BlockDirectories() =>
        Directory.Exists(Data) ? [.. Directory.GetDirectories(Data).Select(Path.GetFileName).Where(n => n!.Length == 26).Select(n => n!)] : [];

    private static void FlipByte(string path, int? offset = null)
    {
        var bytes = File.ReadAllBytes(path);
        var at = offset ?? bytes.Length / 2;
        bytes[at] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }
}
