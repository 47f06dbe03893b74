using System.Globalization;
using System.Text.Json;
using Opsmon.Tests.Support;
using Xunit.Abstractions;

namespace Opsmon.Tests.Doctor;

/// <summary>
/// Issue 5: for .NET processes the GC heap, read over the diagnostics socket, tells managed growth from native
/// growth. Two .NET children leak at the same rate, one into its GC heap and one into native memory; a 30 s
/// doctor (with the leak detector's minimum span lowered through --config) flags both and tells them apart.
/// </summary>
public sealed class DoctorManagedHeapTests(ITestOutputHelper output) : IDisposable
{
    private const double MegabytesPerMinute = 60;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-doctor-heap-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_managed_leak_and_a_native_leak_are_told_apart_by_the_gc_heap()
    {
        var config = Path.Combine(_dir.FullName, "opsmon.yml");
        await File.WriteAllTextAsync(config, """
            doctor:
              leak:
                min_span: 20s
                min_samples: 15
            """);
        var rate = MegabytesPerMinute.ToString(CultureInfo.InvariantCulture);
        await using var managed = await Leakers.StartAsync("managed-leak", "--mb-per-minute", rate, "--lifetime", "60");
        await using var native = await Leakers.StartAsync("leak", "--mb-per-minute", rate, "--lifetime", "60");

        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(60), "--config", config, "--duration", "30s", "--interval", "1s", "--json");

        var report = run.Report();
        output.WriteLine($"doctor took {run.Wall.TotalSeconds:F1} s\n{report.Summary()}");
        var why = $"managed {managed.Pid}, native {native.Pid}\n{report.Summary()}\n{run.Stderr}";
        var managedLeak = Leak(report, managed.Pid, why);
        var nativeLeak = Leak(report, native.Pid, why);

        Assert.Equal("managed", managedLeak.GetProperty("heap").GetString());
        Assert.InRange(managedLeak.GetProperty("managedBytesPerSecond").GetDouble(), 0.5e6 * MegabytesPerMinute / 60, 1.5e6 * MegabytesPerMinute / 60);
        Assert.Contains("managed heap grew", Finding(report, managed.Pid).GetProperty("explanation").GetString(), StringComparison.Ordinal);

        Assert.Equal("native", nativeLeak.GetProperty("heap").GetString());
        Assert.InRange(Math.Abs(nativeLeak.GetProperty("managedBytesPerSecond").GetDouble()), 0, 0.1e6 * MegabytesPerMinute / 60);
        Assert.Contains("native memory grew while the GC heap stayed flat", Finding(report, native.Pid).GetProperty("explanation").GetString(), StringComparison.Ordinal);
    }

    private static JsonElement Leak(JsonElement report, int pid, string why) =>
        report.Leaks().FirstOrDefault(l => l.Pid() == pid) is { ValueKind: JsonValueKind.Object } leak
            ? leak
            : throw new Xunit.Sdk.XunitException($"pid {pid} not flagged as a leak: {why}");

    private static JsonElement Finding(JsonElement report, int pid) =>
        Assert.Single(report.Findings("memory.leak"), f => f.GetProperty("resource").GetString() == "process:" + pid.ToString(CultureInfo.InvariantCulture));
}
