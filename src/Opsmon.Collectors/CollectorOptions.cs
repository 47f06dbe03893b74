namespace Opsmon.Collectors;

/// <summary>Settings shared by the collectors. Collector-specific records live beside their collector.</summary>
public sealed record CollectorOptions
{
    /// <summary>Per-process series for the heaviest N processes by memory, by CPU, by memory growth and by I/O (opsmon_process_*).</summary>
    public int TopProcesses { get; init; } = 20;

    /// <summary>How deep below the cgroup v2 root the cgroup collector reports (1 = slices, 2 = services in slices).</summary>
    public int CgroupDepth { get; init; } = 2;

    /// <summary>Read /proc/PID/smaps_rollup for PSS/USS; costs kernel time on very large processes.</summary>
    public bool GatherSmaps { get; init; } = true;

    /// <summary>
    /// How long a process's smaps_rollup figures (PSS, USS, SwapPss) are reused before the file is read again.
    /// The kernel walks every mapping of the process to produce it, so it is the dearest read of a scrape;
    /// PSS moves slowly, and other processes' mappings change it only by sharing. Zero reads it every scrape.
    /// </summary>
    public TimeSpan SmapsMaxAge { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>process-exporter style grouping rules; empty means "group by comm".</summary>
    public IReadOnlyList<ProcessGroupRule> ProcessGroups { get; init; } = [];
}

/// <summary>
/// One process-exporter matcher: a process goes to the first rule it matches. <c>Comm</c> and <c>Exe</c>
/// are OR lists, <c>Cmdline</c> is an AND list of regexes; <c>Name</c> is a template with
/// {{.Comm}}, {{.ExeBase}}, {{.ExeFull}}, {{.Username}}, {{.PID}} and {{.Matches.X}}.
/// </summary>
public sealed record ProcessGroupRule
{
    public string Name { get; init; } = "{{.Comm}}";

    public IReadOnlyList<string> Comm { get; init; } = [];

    public IReadOnlyList<string> Exe { get; init; } = [];

    public IReadOnlyList<string> Cmdline { get; init; } = [];
}
