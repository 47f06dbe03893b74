using System.Globalization;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>cache_cleanup's settings: the directories, the age and size policies, and the page-cache switch.</summary>
public sealed record CacheCleanupSettings(IReadOnlyList<string> Directories, TimeSpan? MaxAge, long? MaxSize, bool DropPageCache) : ActionSettings;

/// <summary>
/// Cleans configured cache directories: deletes regular files older than max_age, then the oldest files until the
/// directory's files total at most max_size. It never leaves the directories: a configured directory that is a link
/// is resolved once, links inside are neither followed nor deleted, and the directory itself is never deleted.
/// Dropping the page cache (/proc/sys/vm/drop_caches, after sync) happens only as root with drop_page_cache: true.
/// </summary>
public sealed class CacheCleanupAction(ActionSpec spec, ActionHost host) : IAction
{
    private readonly CacheCleanupSettings _settings = (CacheCleanupSettings)spec.Settings;

    public string Name => spec.Name;

    public ActionSpec Spec => spec;

    internal static ActionSettings? Parse(ActionSection section)
    {
        var dirs = section.List("directories");
        var maxAge = section.Duration("max_age");
        var maxSize = section.Size("max_size");
        var drop = section.Bool("drop_page_cache", false);
        if (dirs is null && !section.Has("directories") && !drop)
        {
            section.Error("directories", "is required: the cache directories to clean (absolute paths), unless the action only drops the page cache.");
            return null;
        }

        dirs ??= [];
        for (var i = 0; i < dirs.Count; i++)
        {
            var full = dirs[i];
            if (!Path.IsPathRooted(full) || Path.GetFullPath(full).TrimEnd('/').Length == 0)
            {
                section.Error($"directories[{i}]", $"'{full}' must be an absolute path below / (never / itself).");
                return null;
            }
        }

        if (dirs.Count > 0 && maxAge is null && maxSize is null)
        {
            section.Error("directories", "needs a policy: max_age (delete files older than it), max_size (delete the oldest until under it), or both.");
            return null;
        }

        return new CacheCleanupSettings([.. dirs.Select(d => Path.GetFullPath(d).TrimEnd('/'))], maxAge, maxSize, drop);
    }

    public ActionTargets Resolve(AlertSnapshot alert) =>
        ActionTargets.One(new ActionTarget("cache:" + string.Join(",", _settings.Directories), "directories " + string.Join(", ", _settings.Directories)));

    public Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var failures = new List<string>();
        var verb = run.DryRun ? "would delete" : "deleted";
        foreach (var configured in _settings.Directories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CleanDirectory(configured, run, verb, lines, failures, cancellationToken);
        }

        if (_settings.DropPageCache)
        {
            if (!host.IsRoot)
            {
                lines.Add("page cache not dropped: Opsmon does not run as root");
            }
            else if (run.DryRun)
            {
                lines.Add("would drop the page cache (sync, then 1 > /proc/sys/vm/drop_caches)");
            }
            else
            {
                try
                {
                    host.Sync();
                    File.WriteAllText(Path.Combine(host.ProcRoot, "sys", "vm", "drop_caches"), "1");
                    lines.Add("dropped the page cache");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    failures.Add($"cannot drop the page cache: {e.Message}");
                }
            }
        }

        var output = string.Join("\n", lines);
        return Task.FromResult(failures.Count == 0 ? ActionOutcome.Ok(output) : ActionOutcome.Failed(string.Join("; ", failures), output));
    }

    private void CleanDirectory(string configured, ActionRun run, string verb, List<string> lines, List<string> failures, CancellationToken cancellationToken)
    {
        string root;
        try
        {
            // The configured directory may itself be a link (/var/cache/app -> /srv/cache); resolve it once and stay inside.
            var resolved = new DirectoryInfo(configured).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? configured;
            root = Path.GetFullPath(resolved).TrimEnd('/');
            if (root.Length == 0 || !Directory.Exists(root))
            {
                failures.Add($"{configured}: not a directory");
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{configured}: {e.Message}");
            return;
        }

        var files = RegularFiles(root, failures);
        var deleted = 0;
        var deletedBytes = 0L;
        var remaining = new List<FileInfo>();
        foreach (var file in files)
        {
            if (_settings.MaxAge is { } maxAge && run.Now - file.LastWriteTimeUtc > maxAge)
            {
                var size = file.Length;
                if (Delete(file, root, run.DryRun, failures))
                {
                    deleted++;
                    deletedBytes += size;
                }
            }
            else
            {
                remaining.Add(file);
            }
        }

        var byAge = deleted;
        if (_settings.MaxSize is { } maxSize)
        {
            var total = remaining.Sum(f => f.Length);
            foreach (var file in remaining.OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.FullName, StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (total <= maxSize)
                {
                    break;
                }

                var size = file.Length;
                if (Delete(file, root, run.DryRun, failures))
                {
                    deleted++;
                    deletedBytes += size;
                    total -= size;
                }
            }
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"{configured}: {verb} {deleted} files ({deletedBytes} bytes; {byAge} older than max_age, {deleted - byAge} for max_size)"));
    }

    /// <summary>Every regular file below the root; links (to files or directories) are neither listed nor followed.</summary>
    private static List<FileInfo> RegularFiles(string root, List<string> failures)
    {
        var files = new List<FileInfo>();
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            try
            {
                foreach (var entry in dir.EnumerateFileSystemInfos())
                {
                    if (entry.LinkTarget is not null)
                    {
                        continue;
                    }

                    if (entry is DirectoryInfo sub)
                    {
                        pending.Push(sub);
                    }
                    else if (entry is FileInfo file && (file.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0)
                    {
                        files.Add(file);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{dir.FullName}: {e.Message}");
            }
        }

        return files;
    }

    private static bool Delete(FileInfo file, string root, bool dryRun, List<string> failures)
    {
        // Checked again right before deleting: the path must still be a plain file strictly inside the root.
        var full = Path.GetFullPath(file.FullName);
        if (!full.StartsWith(root + "/", StringComparison.Ordinal))
        {
            failures.Add($"{full}: outside {root}, left alone");
            return false;
        }

        if (dryRun)
        {
            return true;
        }

        try
        {
            file.Refresh();
            if (!file.Exists || file.LinkTarget is not null)
            {
                return false;
            }

            file.Delete();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{full}: {e.Message}");
            return false;
        }
    }
}
