namespace Opsmon.Analysis.Tests.Support;

internal static class ReportExtensions
{
    /// <summary>The worst finding with <paramref name="id"/>; fails the test when there is none.</summary>
    public static Finding Worst(this DoctorReport report, string id)
    {
        var findings = report.Findings.Where(f => string.Equals(f.Id, id, StringComparison.Ordinal)).ToList();
        Assert.True(findings.Count > 0, "no finding " + id + "; ids: " + string.Join(", ", report.Findings.Select(static f => f.Id).Distinct()));
        return findings.MaxBy(static f => f.Severity)!;
    }

    public static bool Names(this Finding finding, int pid, string name) =>
        finding.Processes.Any(p => p.Pid == pid && string.Equals(p.Name, name, StringComparison.Ordinal));
}
