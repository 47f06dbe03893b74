using System.Text.Json;
using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests;

public sealed class ReportTests
{
    [Fact]
    public void Exit_code_is_1_when_the_worst_finding_is_a_warning()
    {
        var report = new SyntheticMachine { CpuSteal = 0.15 }.Analyze();

        Assert.Equal(Severity.Warning, report.Severity);
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public void Exit_code_is_2_when_any_finding_is_critical()
    {
        var report = new SyntheticMachine { CpuSteal = 0.15, FsAvail = 1e9 }.Analyze();

        Assert.Equal(2, report.ExitCode);
    }

    [Fact]
    public void Findings_are_sorted_worst_first()
    {
        var report = new SyntheticMachine { CpuSteal = 0.15, FsAvail = 1e9 }.Analyze();

        Assert.Equal(Severity.Critical, report.Findings[0].Severity);
        Assert.Equal(Severity.Warning, report.Findings[1].Severity);
    }

    [Fact]
    public void Json_uses_camel_case_names_and_lower_case_severities()
    {
        var report = new SyntheticMachine { FsAvail = 1e9 }.Analyze();

        var json = JsonSerializer.Serialize(report, AnalysisJsonContext.Default.DoctorReport);
        using var doc = JsonDocument.Parse(json);

        var root = doc.RootElement;
        Assert.Equal("critical", root.GetProperty("severity").GetString());
        Assert.Equal(2, root.GetProperty("exitCode").GetInt32());
        Assert.True(root.GetProperty("window").GetProperty("durationSeconds").GetDouble() > 0);
        var first = root.GetProperty("findings")[0];
        Assert.Equal("filesystem.space", first.GetProperty("id").GetString());
        Assert.Equal("free_percent", first.GetProperty("evidence")[2].GetProperty("name").GetString());
    }

    [Fact]
    public void Json_round_trips()
    {
        var report = new SyntheticMachine { FsAvail = 1e9 }.Analyze();

        var json = JsonSerializer.Serialize(report, AnalysisJsonContext.Default.DoctorReport);
        var back = JsonSerializer.Deserialize(json, AnalysisJsonContext.Default.DoctorReport)!;

        Assert.Equal(report.Findings.Count, back.Findings.Count);
        Assert.Equal(report.Findings[0].Explanation, back.Findings[0].Explanation);
    }

    [Fact]
    public void Failing_check_becomes_an_ok_finding_and_the_others_still_run()
    {
        var q = new SyntheticMachine { FsAvail = 1e9 }.Build();
        var analyzer = new Analyzer([new ThrowingCheck(), new Opsmon.Analysis.Checks.FilesystemSpaceCheck()]);

        var report = analyzer.Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());

        Assert.Contains(report.Findings, static f => f.Id == "doctor.check_failed" && f.Severity == Severity.Ok);
        Assert.Equal(2, report.ExitCode);
    }

    private sealed class ThrowingCheck : Opsmon.Analysis.Checks.IDoctorCheck
    {
        public string Name => "broken";

        public IEnumerable<Finding> Run(AnalysisContext context) => throw new InvalidOperationException("boom");
    }
}
