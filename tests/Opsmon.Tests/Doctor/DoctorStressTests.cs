using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opsmon.Tests.Support;
using Xunit.Abstractions;

namespace Opsmon.Tests.Doctor;

/// <summary>
/// Issue 5: Debian's stress-ng loads one resource and a 5 s `opsmon doctor` names that resource and the
/// stress-ng process. They load the whole machine, so they run alone.
/// </summary>
[Collection("Exclusive")]
public sealed class DoctorStressTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Cpu_load_is_a_cpu_utilization_problem_naming_stress_ng()
    {
        var cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        await using var stress = RunningProcess.Start(Tools.Require("stress-ng"), ["--cpu", cores, "--timeout", "25s"]);
        await WorkersAsync(stress, "stress-ng-cpu");

        var report = await DoctorAsync();

        var cpu = Assert.Single(report.Findings("cpu.utilization"));
        Assert.True(cpu.IsProblem(), report.Summary());
        Assert.Contains(cpu.ProcessNames(), n => n.StartsWith("stress-ng", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Memory_hog_is_named_as_the_largest_memory_user()
    {
        // A hog of 1 GiB rather than one that drives MemAvailable under 10%: this machine has no swap and is
        // shared, and a hog near the limit takes longer to fault in than the test may run on a busy machine.
        const long Hog = 1L << 30;
        await using var stress = RunningProcess.Start(Tools.Require("stress-ng"),
            ["--vm", "1", "--vm-bytes", (Hog >> 20).ToString(CultureInfo.InvariantCulture) + "M", "--vm-keep", "--vm-populate", "--timeout", "60s"]);
        await WorkersAsync(stress, "stress-ng-vm");
        await PollAsync(
            () => Descendants(stress.Pid).Any(c => ResidentBytes(c) > Hog * 0.9),
            TimeSpan.FromSeconds(40),
            () => $"the stress-ng-vm worker did not fault its {Hog >> 20} MiB in:\n{stress.Output}");

        var report = await DoctorAsync();

        var top = Assert.Single(report.Findings("process.top_memory"));
        var largest = top.GetProperty("processes")[0];
        Assert.StartsWith("stress-ng", largest.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.True(largest.GetProperty("value").GetDouble() > Hog * 0.9, report.Summary());
        Assert.Single(report.Findings("memory.available"));
    }

    [Fact]
    public async Task Disk_writes_make_stress_ng_the_top_io_process()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-doctor-hdd-");
        try
        {
            // Direct I/O so the writes reach the disk instead of the page cache.
            await using var stress = RunningProcess.Start(Tools.Require("stress-ng"),
                ["--hdd", "1", "--hdd-bytes", "256M", "--hdd-opts", "direct", "--temp-path", dir.FullName, "--timeout", "25s"]);
            await WorkersAsync(stress, "stress-ng-hdd");

            var report = await DoctorAsync();

            var io = Assert.Single(report.Findings("process.top_io"));
            Assert.StartsWith("stress-ng", io.ProcessNames().First(), StringComparison.Ordinal);
            Assert.Contains(report.Findings("disk.utilization"), d => d.GetProperty("evidence")[0].GetProperty("value").GetDouble() > 1);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private async Task<JsonElement> DoctorAsync()
    {
        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(30), "--duration", "5s", "--json");
        var report = run.Report();
        output.WriteLine(report.Summary());
        Assert.Equal(report.GetProperty("exitCode").GetInt32(), run.ExitCode);
        return report;
    }

    /// <summary>Waits until stress-ng has forked a worker whose name starts with <paramref name="comm"/>.</summary>
    private static Task WorkersAsync(RunningProcess stress, string comm) =>
        PollAsync(
            () => Descendants(stress.Pid).Any(c => ReadComm(c).StartsWith(comm, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15),
            () => $"stress-ng started no {comm} worker:\n{stress.Output}");

    /// <summary>Children and their children: stress-ng's workers fork the process that holds the memory.</summary>
    private static IEnumerable<int> Descendants(int pid) => Children(pid).SelectMany(c => Descendants(c).Prepend(c));

    private static IEnumerable<int> Children(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(c => int.Parse(c, CultureInfo.InvariantCulture))
                .ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task PollAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(failure());
            }

            await Task.Delay(100);
        }
    }
}
