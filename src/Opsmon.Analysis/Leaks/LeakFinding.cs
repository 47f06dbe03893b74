namespace Opsmon.Analysis.Leaks;

/// <summary>A process or cgroup whose memory grows like a leak.</summary>
/// <param name="Kind"><c>process</c> or <c>cgroup</c>.</param>
/// <param name="Pid">The process id; null for a cgroup.</param>
/// <param name="Name">The process name or the cgroup path.</param>
/// <param name="Metric">The series judged: <c>uss</c>, <c>pss</c>, <c>rss</c> or <c>cgroup</c> (memory.current).</param>
/// <param name="CurrentBytes">Its last value in the window.</param>
/// <param name="BytesPerSecond">Theil–Sen growth rate.</param>
/// <param name="MegabytesPerHour">The same rate in MB (10^6 bytes) per hour.</param>
/// <param name="GrowingForSeconds">How long it has grown, back from the end of the window (at most the window).</param>
/// <param name="Confidence">0–1, see <see cref="LeakAssessment.Confidence"/>.</param>
/// <param name="PValue">Mann–Kendall p-value of the upward trend.</param>
/// <param name="SecondsUntilExhausted">Time until the growth uses up the limit; null when no limit is known.</param>
/// <param name="Limit">Which limit: <c>MemAvailable</c> (the machine's) or <c>memory.max</c> (the cgroup's).</param>
/// <param name="Heap">For a .NET process whose GC heap was read: <c>managed</c> when the GC heap grew with it, <c>native</c> when it stayed flat; else null.</param>
/// <param name="ManagedBytesPerSecond">Theil–Sen growth of the GC heap (gc-heap-size) in the window; null when not read.</param>
/// <param name="Gen2BytesPerSecond">Theil–Sen growth of the gen2 heap (gen-2-size); null when not read.</param>
public sealed record LeakFinding(
    string Kind,
    int? Pid,
    string Name,
    string Metric,
    double CurrentBytes,
    double BytesPerSecond,
    double MegabytesPerHour,
    double GrowingForSeconds,
    double Confidence,
    double PValue,
    double? SecondsUntilExhausted,
    string Limit,
    string? Heap = null,
    double? ManagedBytesPerSecond = null,
    double? Gen2BytesPerSecond = null);

/// <summary>The growth estimate of every judged process or cgroup, suspect or not (published as metrics).</summary>
public sealed record MemoryTrend(string Kind, int? Pid, string Name, double BytesPerSecond, bool Suspect);

/// <summary>Everything one leak scan produced.</summary>
public sealed record LeakScan(IReadOnlyList<LeakFinding> Suspects, IReadOnlyList<MemoryTrend> Trends);
