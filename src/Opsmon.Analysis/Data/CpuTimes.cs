namespace Opsmon.Analysis.Data;

/// <summary>Shares (0–1) of all CPU time in the window spent per mode, from node_cpu_seconds_total.</summary>
public sealed record CpuTimes(double Busy, double User, double System, double Iowait, double Steal, int Cpus)
{
    /// <summary>Null when node_cpu_seconds_total is absent or too short to rate.</summary>
    public static CpuTimes? From(MetricReader data)
    {
        var byMode = new Dictionary<string, double>(StringComparer.Ordinal);
        var cpus = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in data.Series("node_cpu_seconds_total"))
        {
            var rate = s.Rate();
            if (!double.IsNaN(rate))
            {
                byMode[s["mode"]] = byMode.GetValueOrDefault(s["mode"]) + rate;
                cpus.Add(s["cpu"]);
            }
        }

        var total = byMode.Values.Sum();
        if (total <= 0)
        {
            return null;
        }

        double Share(string mode) => byMode.GetValueOrDefault(mode) / total;
        // iowait is idle time with I/O outstanding: the CPU could have run something else.
        return new CpuTimes(1 - Share("idle") - Share("iowait"), Share("user") + Share("nice"), Share("system"),
            Share("iowait"), Share("steal"), cpus.Count);
    }
}
