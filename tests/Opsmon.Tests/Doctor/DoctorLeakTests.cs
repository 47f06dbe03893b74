using System.Text.Json;
using Opsmon.Tests.Support;
using Xunit.Abstractions;

namespace Opsmon.Tests.Doctor;

/// <summary>
/// Issue 5's live leak test: child processes with known memory shapes, one `opsmon doctor` over a window of
/// 90 s at a 1 s interval. The two leakers are flagged with their true rate (±25%); a large steady process,
/// a warm-up-then-plateau process and a sawtooth are not.
/// </summary>
public sealed class DoctorLeakTests(ITestOutputHelper output)
{
    private const double Megabyte = 1_000_000;

    [Fact]
    public async Task Doctor_flags_the_leakers_at_their_rate_and_not_the_steady_plateau_or_sawtooth_processes()
    {
        await using var slow = await Leakers.StartAsync("leak", "--mb-per-minute", "5", "--lifetime", "150");
        await using var fast = await Leakers.StartAsync("leak", "--mb-per-minute", "20", "--lifetime", "150");
        await using var steady = await Leakers.StartAsync("steady", "--mb", "300", "--lifetime", "150");
        await using var sawtooth = await Leakers.StartAsync("sawtooth", "--mb", "100", "--period", "15", "--lifetime", "150");

        // Started last so that its warm-up falls inside the window: it grows for the first third, then holds.
        await using var plateau = await Leakers.StartAsync("plateau", "--mb", "150", "--seconds", "30", "--lifetime", "150");

        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(130), "--duration", "90s", "--interval", "1s", "--json");
        var report = run.Report();
        output.WriteLine($"doctor took {run.Wall.TotalSeconds:F1} s");
        foreach (var leak in report.Leaks())
        {
            output.WriteLine($"leak pid {leak.Pid()} {leak.GetProperty("name").GetString()} {leak.GetProperty("bytesPerSecond").GetDouble() * 60 / Megabyte:F2} MB/min ({leak.GetProperty("metric").GetString()})");
        }

        var leaks = report.Leaks().Where(l => l.Pid() is not null).ToDictionary(l => l.Pid()!.Value);
        var why = $"leaks: {string.Join(", ", leaks.Keys)}; slow {slow.Pid}, fast {fast.Pid}, steady {steady.Pid}, sawtooth {sawtooth.Pid}, plateau {plateau.Pid}\n{report.Summary()}";
        AssertLeak(leaks, slow.Pid, 5, report, why);
        AssertLeak(leaks, fast.Pid, 20, report, why);
        Assert.False(leaks.ContainsKey(steady.Pid), "steady flagged: " + why);
        Assert.False(leaks.ContainsKey(sawtooth.Pid), "sawtooth flagged: " + why);
        Assert.False(leaks.ContainsKey(plateau.Pid), "plateau flagged: " + why);
        Assert.Equal(report.GetProperty("exitCode").GetInt32(), run.ExitCode);
    }

    private static void AssertLeak(Dictionary<int, JsonElement> leaks, int pid, double megabytesPerMinute, JsonElement report, string why)
    {
        Assert.True(leaks.TryGetValue(pid, out var leak), $"leaker of {megabytesPerMinute} MB/min (pid {pid}) not flagged: {why}");
        var truth = megabytesPerMinute * Megabyte / 60;
        Assert.InRange(leak.GetProperty("bytesPerSecond").GetDouble(), truth * 0.75, truth * 1.25);
        Assert.Contains(report.Findings("memory.leak"), f => f.IsProblem() && f.GetProperty("resource").GetString() == "process:" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
