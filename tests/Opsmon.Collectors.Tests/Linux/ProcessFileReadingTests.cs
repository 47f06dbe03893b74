using System.Diagnostics;
using System.Globalization;
using System.Text;
using Opsmon.Collectors.Linux.Processes;
using Opsmon.Collectors.Parsing;
using Opsmon.Collectors.Tests.TestSupport;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>How the process collector reads /proc on the live machine: fd counts by stat size, files by read(2).</summary>
public sealed class ProcessFileReadingTests
{
    [Fact]
    public void Live_proc_is_procfs_and_a_fixture_tree_is_not()
    {
        Assert.True(FdCounter.IsProcfs("/proc/"));
        Assert.False(FdCounter.IsProcfs(FixtureRoots.Root("debian12-vm").Path));
    }

    [Fact]
    public async Task Fd_count_from_the_directory_size_matches_the_listed_entries()
    {
        // Before Linux 6.2 the size is 0 and the count falls back to listing, so both must agree on any kernel.
        // The shell opens two more descriptors before it sleeps, so its table is still when it is counted.
        using var child = Process.Start(new ProcessStartInfo("sh", ["-c", "exec 7</dev/null 8</dev/null; exec sleep 30"]) { RedirectStandardInput = true })!;
        try
        {
            var proc = $"/proc/{child.Id.ToString(CultureInfo.InvariantCulture)}";
            var dir = proc + "/fd";
            await Poll.Until(() => File.ReadAllText(proc + "/comm") == "sleep\n");

            var listed = Directory.GetFileSystemEntries(dir).Length;

            Assert.True(listed >= 5, $"expected stdio and fds 7 and 8, listed {listed}");
            Assert.Equal(listed, new FdCounter(sizeIsCount: true).Count(dir));
            Assert.Equal(listed, new FdCounter(sizeIsCount: false).Count(dir));
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public void Fd_count_of_a_vanished_process_is_minus_one()
    {
        Assert.Equal(-1, new FdCounter(sizeIsCount: true).Count("/proc/0/fd"));
    }

    [Fact]
    public void A_path_built_on_the_stack_reads_the_same_file()
    {
        var file = new ProcFile(16);
        var path = Path.Join(FixtureRoots.Root("debian12-vm").Path, "proc", "meminfo");
        Span<char> onStack = stackalloc char[path.Length];
        path.CopyTo(onStack);

        Assert.True(file.TryRead(onStack, out var content));

        // The 16-byte buffer grew until the whole file fit.
        Assert.Equal(File.ReadAllBytes(path), content.ToArray());
    }

    [Fact]
    public void A_missing_file_or_a_directory_reads_as_false()
    {
        var file = new ProcFile();

        Assert.False(file.TryRead(Path.Join(FixtureRoots.Root("debian12-vm").Path, "proc", "no-such-file"), out _));
        Assert.False(file.TryRead(FixtureRoots.Root("debian12-vm").Path, out _));
    }

    [Fact]
    public void A_path_longer_than_the_stack_buffer_is_read()
    {
        using var tree = FixtureRoots.Temp();
        var deep = Path.Join(tree.Path, new string('d', 200), new string('e', 200), new string('f', 200));
        Directory.CreateDirectory(deep);
        var path = Path.Join(deep, "value");
        File.WriteAllText(path, "42\n", Encoding.ASCII);

        Assert.True(new ProcFile().TryReadInt64(path, out var value));
        Assert.Equal(42, value);
    }
}
