namespace Opsmon.Analysis;

/// <summary>
/// Everything one analysis pass found. Serialized with <see cref="AnalysisJsonContext"/> (camelCase
/// property names, severities as lower-case strings), which is the documented <c>opsmon doctor --json</c> schema.
/// </summary>
/// <param name="Severity">The worst severity among the findings.</param>
/// <param name="ExitCode">0 healthy, 1 warnings, 2 critical.</param>
/// <param name="Window">The analysed time range.</param>
/// <param name="Machine">Facts about the machine the thresholds were applied to.</param>
/// <param name="Findings">Every finding, worst first, then by id and resource.</param>
/// <param name="Leaks">Memory-leak suspects (processes and cgroups), fastest growth first.</param>
/// <param name="Forecasts">Time-to-exhaustion forecasts for filesystems and memory.</param>
public sealed record DoctorReport(
    Severity Severity,
    int ExitCode,
    AnalysisWindow Window,
    MachineFacts Machine,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<Leaks.LeakFinding> Leaks,
    IReadOnlyList<Forecast.ResourceForecast> Forecasts);

/// <summary>The analysed range in milliseconds since the Unix epoch.</summary>
public sealed record AnalysisWindow(long StartMs, long EndMs)
{
    public double DurationSeconds => (EndMs - StartMs) / 1000.0;
}

/// <summary>
/// Facts about the machine that thresholds depend on. <see cref="Cores"/> 0 means "count the cpu labels
/// of node_cpu_seconds_total"; <see cref="MemTotalBytes"/> 0 means "read node_memory_MemTotal_bytes".
/// </summary>
public sealed record MachineFacts(int Cores = 0, long PageSizeBytes = 4096, long MemTotalBytes = 0, string Hostname = "");
