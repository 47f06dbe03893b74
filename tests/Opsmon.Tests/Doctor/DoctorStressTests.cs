using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opsmon.Tests.Support;
using Xunit.Abstractions;

namespace Opsmon.Tests.Doctor;

/// <summary>
/// Issue 5: Debian's stress-ng loads one resource and a 5 s `opsmon doctor` names that resource and the
/// stress-ng process: for CPU directly, for memory and I/O pressure through the cgroup that holds it (this machine
/// has 24 GB and no swap, so stress-ng runs in a cgroup with a small limit, where it stalls safely) and the
/// processes in it. They load the machine, so they run alone.
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
    public async Task Memory_held_to_a_small_limit_in_a_cgroup_is_a_cgroup_memory_pressure_problem_naming_it()
    {
        // Buffered writes through a 24 MiB limit: the group reclaims its page cache all the time (PSI memory
        // "some" well above 10%) while the machine, with gigabytes free and no swap, is never at risk.
        var dir = Directory.CreateTempSubdirectory("opsmon-doctor-mem-");
        try
        {
            await using var cgroup = TestCgroup.WithMemoryLimit(24L << 20);
            await using (var stress = cgroup.Start(Tools.Require("stress-ng"),
                ["--hdd", "2", "--hdd-bytes", "128M", "--temp-path", dir.FullName, "--timeout", "25s"]))
            {
                await WorkersAsync(stress, "stress-ng-hdd");
                Assert.Contains(stress.Pid, cgroup.Pids());

                var report = await DoctorAsync();

                var pressure = Assert.Single(report.Findings("cgroup.memory.pressure"), f => f.GetProperty("resource").GetString() == "cgroup:" + cgroup.Label);
                Assert.True(pressure.IsProblem(), report.Summary());
                Assert.Contains("stalled on memory", pressure.GetProperty("explanation").GetString(), StringComparison.Ordinal);
                Assert.Equal(cgroup.Label, pressure.GetProperty("cgroups")[0].GetProperty("cgroup").GetString());
                AssertNamesStressNgIn(pressure, cgroup);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Disk_writes_throttled_in_a_cgroup_are_a_cgroup_io_pressure_problem_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-doctor-hdd-");
        try
        {
            // Direct I/O so the writes wait for the throttled disk instead of landing in the page cache.
            await using var cgroup = TestCgroup.WithWriteLimit(dir.FullName, 1L << 20);
            await using (var stress = cgroup.Start(Tools.Require("stress-ng"),
                ["--hdd", "1", "--hdd-bytes", "64M", "--hdd-opts", "direct", "--temp-path", dir.FullName, "--timeout", "25s"]))
            {
                await WorkersAsync(stress, "stress-ng-hdd");
                Assert.Contains(stress.Pid, cgroup.Pids());

                var report = await DoctorAsync();

                var pressure = Assert.Single(report.Findings("cgroup.io.pressure"), f => f.GetProperty("resource").GetString() == "cgroup:" + cgroup.Label);
                Assert.True(pressure.IsProblem(), report.Summary());
                Assert.Contains("stalled on io", pressure.GetProperty("explanation").GetString(), StringComparison.Ordinal);
                Assert.Equal(cgroup.Label, pressure.GetProperty("cgroups")[0].GetProperty("cgroup").GetString());
                AssertNamesStressNgIn(pressure, cgroup);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The finding's processes are stress-ng's, each a pid the cgroup held (workers may have exited since).</summary>
    private static void AssertNamesStressNgIn(JsonElement finding, TestCgroup cgroup)
    {
        var processes = finding.GetProperty("processes").EnumerateArray().ToList();
        Assert.NotEmpty(processes);
        Assert.All(processes, p => Assert.StartsWith("stress-ng", p.GetProperty("name").GetString(), StringComparison.Ordinal));
        Assert.Contains(processes[0].GetProperty("name").GetString() ?? "?", finding.GetProperty("explanation").GetString(), StringComparison.Ordinal);
        var held = cgroup.Pids();
        Assert.Contains(processes, p => p.Pid() is { } pid && held.Contains(pid));
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
