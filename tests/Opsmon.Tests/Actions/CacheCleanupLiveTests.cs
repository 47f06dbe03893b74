using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Tests.Actions.LiveActions;

namespace Opsmon.Tests.Actions;

/// <summary>
/// cache_cleanup on a real directory tree: files older than max_age go, then the oldest until the rest fit in
/// max_size; nothing outside the directory, no link and no link target, and never the directory itself.
/// </summary>
public sealed class CacheCleanupLiveTests : IDisposable
{
    private readonly LiveActions _live = new();
    private readonly DateTimeOffset _now = TimeProvider.System.GetUtcNow();

    public CacheCleanupLiveTests()
    {
        Directory.CreateDirectory(Cache);
        Directory.CreateDirectory(Path.Combine(Cache, "sub"));
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Outside, "dir"));
    }

    private string Cache => Path.Combine(_live.Dir, "cache");

    private string Outside => Path.Combine(_live.Dir, "outside");

    public void Dispose() => _live.Dispose();

    private string Write(string path, int bytes, TimeSpan age)
    {
        var full = Path.Combine(_live.Dir, path);
        File.WriteAllBytes(full, new byte[bytes]);
        File.SetLastWriteTimeUtc(full, (_now - age).UtcDateTime);
        return full;
    }

    private async Task<AuditRecord> Clean(string policy, bool dryRun = false, string? directory = null)
    {
        var runner = _live.Runner($"""
            actions:
              - name: clean
                type: cache_cleanup
                match: ['alertname="DiskWillFill"']
                directories: [{directory ?? Cache}]
                dry_run: {(dryRun ? "true" : "false")}
            {policy}
            """, TimeProvider.System);
        var alert = Alert("DiskWillFill", _now, 1);
        return Assert.Single(await runner.RunAsync("clean", alert, Notify(alert), CancellationToken.None));
    }

    [Fact]
    public async Task Files_older_than_max_age_are_deleted_in_every_subdirectory_and_newer_ones_kept()
    {
        var old = Write("cache/old.bin", 10, TimeSpan.FromDays(10));
        var oldNested = Write("cache/sub/old.bin", 10, TimeSpan.FromDays(8));
        var fresh = Write("cache/fresh.bin", 10, TimeSpan.FromDays(6));

        var record = await Clean("    max_age: 7d");

        Assert.True(record.Result == AuditResult.Ok, record.Error);
        Assert.Equal((false, false, true), (File.Exists(old), File.Exists(oldNested), File.Exists(fresh)));
        Assert.Contains("deleted 2 files (20 bytes; 2 older than max_age, 0 for max_size)", record.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_oldest_files_go_until_the_directory_is_under_max_size()
    {
        var oldest = Write("cache/a.bin", 1000, TimeSpan.FromHours(4));
        var older = Write("cache/sub/b.bin", 1000, TimeSpan.FromHours(3));
        var newer = Write("cache/c.bin", 1000, TimeSpan.FromHours(2));
        var newest = Write("cache/d.bin", 1000, TimeSpan.FromHours(1));

        var record = await Clean("    max_size: 2500B");

        Assert.True(record.Result == AuditResult.Ok, record.Error);
        Assert.Equal([false, false, true, true], new[] { oldest, older, newer, newest }.Select(File.Exists));
    }

    [Fact]
    public async Task Links_and_what_they_point_to_outside_the_directory_are_left_alone()
    {
        var target = Write("outside/victim.bin", 5000, TimeSpan.FromDays(30));
        var targetInDir = Write("outside/dir/victim.bin", 5000, TimeSpan.FromDays(30));
        File.CreateSymbolicLink(Path.Combine(Cache, "link.bin"), target);
        Directory.CreateSymbolicLink(Path.Combine(Cache, "linked-dir"), Path.Combine(Outside, "dir"));
        var inside = Write("cache/old.bin", 10, TimeSpan.FromDays(30));

        await Clean("    max_age: 1d\n    max_size: 1B");

        Assert.False(File.Exists(inside));
        Assert.True(File.Exists(target));
        Assert.True(File.Exists(targetInDir));
        Assert.NotNull(new FileInfo(Path.Combine(Cache, "link.bin")).LinkTarget);
        Assert.NotNull(new DirectoryInfo(Path.Combine(Cache, "linked-dir")).LinkTarget);
    }

    [Fact]
    public async Task The_directory_itself_and_its_subdirectories_stay_when_every_file_goes()
    {
        Write("cache/sub/old.bin", 10, TimeSpan.FromDays(30));

        await Clean("    max_age: 1d");

        Assert.True(Directory.Exists(Path.Combine(Cache, "sub")));
        Assert.Empty(Directory.EnumerateFiles(Cache, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_configured_directory_that_is_a_link_is_cleaned_where_it_points_and_the_link_stays()
    {
        var real = Path.Combine(Outside, "dir");
        var old = Write("outside/dir/old.bin", 10, TimeSpan.FromDays(30));
        var link = Path.Combine(_live.Dir, "cache-link");
        Directory.CreateSymbolicLink(link, real);

        await Clean("    max_age: 1d", directory: link);

        Assert.False(File.Exists(old));
        Assert.NotNull(new DirectoryInfo(link).LinkTarget);
        Assert.True(Directory.Exists(real));
    }

    [Fact]
    public async Task Dry_run_counts_what_would_go_and_deletes_nothing()
    {
        var old = Write("cache/old.bin", 10, TimeSpan.FromDays(30));

        var record = await Clean("    max_age: 1d", dryRun: true);

        Assert.Equal(AuditResult.DryRun, record.Result);
        Assert.Contains("would delete 1 files", record.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(old));
    }
}
