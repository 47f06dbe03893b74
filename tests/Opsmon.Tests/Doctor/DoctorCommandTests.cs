using System.Text.Json;
using Opsmon.Tests.Support;
using Xunit.Abstractions;

namespace Opsmon.Tests.Doctor;

/// <summary>`opsmon doctor` as scripts use it: the --json schema of docs/doctor.md, exit codes, usage errors.</summary>
public sealed class DoctorCommandTests
{
    [Fact]
    public async Task Json_report_has_the_documented_fields_and_the_exit_code_is_its_exitCode()
    {
        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(60), "--duration", "2s", "--json");

        var report = run.Report();
        Assert.Equal(report.GetProperty("exitCode").GetInt32(), run.ExitCode);
        Assert.Contains(report.GetProperty("severity").GetString(), new[] { "ok", "warning", "critical" });
        var window = report.GetProperty("window");
        // Samples are stamped when taken and none starts after --duration; a busy machine may skip late ticks.
        Assert.InRange(window.GetProperty("endMs").GetInt64() - window.GetProperty("startMs").GetInt64(), 1000, 2500);
        Assert.InRange(window.GetProperty("durationSeconds").GetDouble(), 1, 2.5);
        var machine = report.GetProperty("machine");
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("cores").GetInt32());
        Assert.True(machine.GetProperty("pageSizeBytes").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Number, machine.GetProperty("memTotalBytes").ValueKind);
        Assert.Equal(JsonValueKind.String, machine.GetProperty("hostname").ValueKind);
        Assert.Equal(JsonValueKind.Array, report.GetProperty("leaks").ValueKind);
        Assert.Equal(JsonValueKind.Array, report.GetProperty("forecasts").ValueKind);
        var findings = report.GetProperty("findings").EnumerateArray().ToList();
        Assert.Contains(findings, f => f.GetProperty("id").GetString() == "cpu.utilization");
        Assert.All(findings, f =>
        {
            foreach (var field in new[] { "id", "severity", "resource", "explanation", "suggestion" })
            {
                Assert.Equal(JsonValueKind.String, f.GetProperty(field).ValueKind);
            }

            Assert.All(f.GetProperty("evidence").EnumerateArray(), e =>
            {
                Assert.Equal(JsonValueKind.String, e.GetProperty("name").ValueKind);
                Assert.Equal(JsonValueKind.String, e.GetProperty("unit").ValueKind);
                Assert.True(e.GetProperty("value").ValueKind is JsonValueKind.Number or JsonValueKind.String);
            });
            Assert.Equal(JsonValueKind.Array, f.GetProperty("processes").ValueKind);
            Assert.Equal(JsonValueKind.Array, f.GetProperty("cgroups").ValueKind);
        });
    }

    [Fact]
    public async Task Worst_finding_decides_the_severity_and_the_exit_code()
    {
        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(60), "--duration", "2s", "--json");

        var report = run.Report();
        var worst = report.GetProperty("findings").EnumerateArray()
            .Select(f => f.GetProperty("severity").GetString() switch { "critical" => 2, "warning" => 1, _ => 0 })
            .DefaultIfEmpty(0).Max();
        Assert.Equal(worst, report.GetProperty("exitCode").GetInt32());
        Assert.Equal(worst, run.ExitCode);
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("-5s")]
    [InlineData("2h")]
    public async Task A_bad_duration_is_a_usage_error_with_exit_code_2(string duration)
    {
        var result = await CliRun.RunAsync("doctor", "--duration", duration, "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--duration", result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task From_a_directory_that_does_not_exist_is_a_usage_error_with_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), "opsmon-doctor-missing-" + Guid.NewGuid().ToString("N"));

        var result = await CliRun.RunAsync("doctor", "--from", missing, "--json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, result.Stderr);
        Assert.False(Directory.Exists(missing));
    }
}

/// <summary>Issue 5: `opsmon doctor` with the default duration returns within duration + 1 s; measured alone, as it would be on an idle machine.</summary>
[Collection("Exclusive")]
public sealed class DoctorWallTimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Doctor_with_the_default_duration_returns_soon_after_it()
    {
        var run = await DoctorRun.RunAsync(TimeSpan.FromSeconds(60));

        output.WriteLine($"opsmon doctor (default 5 s) took {run.Wall.TotalSeconds:F2} s from process start to exit, exit {run.ExitCode}");
        Assert.True(run.ExitCode is 0 or 1 or 2, run.Stderr);
        Assert.Contains("opsmon doctor:", run.Stdout);

        // 5 s of sampling plus 1 s for analysis, and 2 s of slack for the runtime's start on a busy 2-core machine.
        Assert.InRange(run.Wall.TotalSeconds, 5, 8);
    }
}
