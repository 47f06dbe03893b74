using Opsmon.Analysis.Data;

namespace Opsmon.Analysis.Checks;

/// <summary>Counts of processes in a state from process-exporter's name groups, or node_exporter's processes collector.</summary>
internal static class ProcessStates
{
    /// <summary>Name groups with processes in <paramref name="state"/> at the end of the window, most first.</summary>
    public static IReadOnlyList<ProcessUsage> Groups(MetricReader data, string state) =>
        [.. data.Series("namedprocess_namegroup_states")
            .Where(s => string.Equals(s["state"], state, StringComparison.Ordinal) && s.Last > 0)
            .OrderByDescending(static s => s.Last).ThenBy(static s => s["groupname"], StringComparer.Ordinal)
            .Select(static s => new ProcessUsage(null, s["groupname"], s.Last, "count"))];

    /// <summary>node_processes_state{state=<paramref name="letter"/>} when present, else the sum over name groups; NaN when neither exists.</summary>
    public static double Total(MetricReader data, string letter, IReadOnlyList<ProcessUsage> groups, Func<SeriesPoints, double> measure)
    {
        var node = data.Series("node_processes_state").Where(s => string.Equals(s["state"], letter, StringComparison.Ordinal)).ToList();
        if (node.Count > 0)
        {
            return node.Sum(measure);
        }

        return data.Series("namedprocess_namegroup_states").Count == 0 ? double.NaN : groups.Sum(static g => g.Value);
    }
}
