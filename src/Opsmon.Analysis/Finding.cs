namespace Opsmon.Analysis;

/// <summary>
/// One result of a doctor check: what was measured on which resource, how bad it is, the figures that
/// prove it, the processes and cgroups behind it, and what to do.
/// </summary>
/// <param name="Id">Stable dotted identifier, e.g. <c>memory.available</c>; scripts key on it.</param>
/// <param name="Severity">Ok, warning or critical.</param>
/// <param name="Resource">The resource instance, e.g. <c>cpu</c>, <c>disk:sda</c>, <c>filesystem:/home</c>, <c>process:1234</c>.</param>
/// <param name="Explanation">One sentence that says what is wrong (or that it is fine), with the key number.</param>
/// <param name="Suggestion">A concrete next step; empty when the finding is ok.</param>
/// <param name="Evidence">Figures with units that support the explanation.</param>
/// <param name="Processes">Top processes that use the resource in the window, largest first.</param>
/// <param name="Cgroups">Top cgroups that use the resource in the window, largest first.</param>
public sealed record Finding(
    string Id,
    Severity Severity,
    string Resource,
    string Explanation,
    string Suggestion,
    IReadOnlyList<Evidence> Evidence,
    IReadOnlyList<ProcessUsage> Processes,
    IReadOnlyList<CgroupUsage> Cgroups);

/// <summary>A named figure with its unit (<c>percent</c>, <c>bytes</c>, <c>bytes/s</c>, <c>seconds</c>, <c>1/s</c>, <c>count</c>, <c>celsius</c>, <c>ratio</c>).</summary>
public sealed record Evidence(string Name, double Value, string Unit);

/// <summary>
/// A process's use of a resource in the window. <see cref="Pid"/> is null for a process-exporter name group,
/// which aggregates several processes.
/// </summary>
public sealed record ProcessUsage(int? Pid, string Name, double Value, string Unit);

/// <summary>A cgroup's use of a resource in the window.</summary>
public sealed record CgroupUsage(string Cgroup, double Value, string Unit);
