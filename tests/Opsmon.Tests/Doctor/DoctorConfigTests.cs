using Opsmon.Tests.Support;

namespace Opsmon.Tests.Doctor;

/// <summary>`opsmon doctor --config FILE` judges with the file's <c>doctor:</c> thresholds.</summary>
public sealed class DoctorThresholdConfigTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-doctor-config-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task An_overridden_threshold_changes_the_finding()
    {
        // MemAvailable is always below MemTotal, so with the warning at 100% memory.available must warn.
        var config = Write("""
            doctor:
              memory_available_warning_percent: 100
            """);

        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(60), "--config", config, "--duration", "1s", "--json");

        var report = run.Report();
        var available = Assert.Single(report.Findings("memory.available"));
        Assert.Equal("warning", available.GetProperty("severity").GetString());
        Assert.True(run.ExitCode >= 1, report.Summary());
    }

    [Fact]
    public async Task A_bad_threshold_is_a_usage_error_naming_file_line_and_key()
    {
        var config = Write("""
            doctor:
              io_pressure_warning_percent: 120
            """);

        var result = await CliRun.RunAsync("doctor", "--config", config, "--duration", "1s", "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:2:3: doctor.io_pressure_warning_percent: must be a number from 0 to 100, got 120.", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir.FullName, "opsmon.yml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
