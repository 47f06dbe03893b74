namespace Opsmon.Collectors;

/// <summary>A collector's registration: its name (which makes the --collector.NAME flag), default state and factory.</summary>
public sealed record CollectorRegistration(string Name, bool EnabledByDefault, string Description, Func<CollectorContext, ICollector> Create);

/// <summary>Every collector Opsmon has. A new collector is one file in Linux/ plus one line here.</summary>
public static class CollectorCatalog
{
    public static IReadOnlyList<CollectorRegistration> All { get; } =
    [
        new("loadavg", true, "Load averages from /proc/loadavg.", c => new Linux.LoadavgCollector(c)),
    ];

    public static CollectorRegistration? Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));
}
