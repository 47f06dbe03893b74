using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Opsmon.Storage.Wal;
using static Opsmon.Storage.Tests.Data;

namespace Opsmon.Storage.Tests.Wal;

/// <summary>
/// The WAL on a 1 MiB tmpfs that the test fills: while the disk stays full, the log says so once and counts the
/// rest. Mounting needs root, which CI has.
/// </summary>
public sealed class WalDiskFullTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new(Epoch);
    private readonly ListLogger _logger = new();
    private bool _mounted;

    private string Mount => Path.Combine(_dir.Path, "mnt");

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", Mount);
        }

        _dir.Dispose();
    }

    [Fact]
    public void A_disk_that_stays_full_is_logged_once_then_summed_up_and_the_count_given_when_writes_resume()
    {
        MountTmpfs();
        using var wal = new WriteAheadLog(Path.Combine(Mount, "wal"), 1 << 20, WalSyncMode.PerCommit, TimeSpan.Zero, _time, _logger, () => { });
        var record = new ByteBuffer();
        record.Bytes(new byte[16 << 10]);
        Assert.True(wal.Log([record]));
        var filler = Path.Combine(Mount, "filler");
        Fill(filler);

        for (var i = 0; i < 20; i++)
        {
            Assert.False(wal.Log([record]));
        }

        Assert.Single(Errors());
        Assert.Contains("WAL write failed", Errors()[0], StringComparison.Ordinal);
        _time.Set(Epoch.AddMinutes(10));
        Assert.False(wal.Log([record]));
        Assert.Equal(2, Errors().Count);
        Assert.Contains("20 more time(s) since the last message, 21 in all", Errors()[1], StringComparison.Ordinal);

        File.Delete(filler);
        Assert.True(wal.Log([record]));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("resumed", StringComparison.Ordinal) && e.Message.Contains("after 21 failed write(s)", StringComparison.Ordinal));
    }

    private List<string> Errors() => [.. _logger.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message)];

    private void MountTmpfs()
    {
        Assert.True(Environment.UserName == "root", "This test mounts a tmpfs and needs root (CI runs as root; locally use sudo).");
        Directory.CreateDirectory(Mount);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", Mount);
        _mounted = true;
    }

    private static void Fill(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {error}");
    }
}
