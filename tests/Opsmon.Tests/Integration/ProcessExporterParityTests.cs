using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>
/// process-exporter (Debian's prometheus-process-exporter) and Opsmon group the same processes by comm; the
/// namedprocess_namegroup_* families must have the same series and agreeing values.
/// </summary>
public sealed class ProcessExporterParityTests
{
    private const string Grouping = """
        - name: "{{.Comm}}"
          cmdline: ['.+']
        """;

    private static readonly string[] RequiredFamilies =
    [
        "namedprocess_namegroup_num_procs", "namedprocess_namegroup_cpu_seconds_total", "namedprocess_namegroup_memory_bytes",
        "namedprocess_namegroup_open_filedesc", "namedprocess_namegroup_worst_fd_ratio", "namedprocess_namegroup_read_bytes_total",
        "namedprocess_namegroup_write_bytes_total", "namedprocess_namegroup_num_threads", "namedprocess_namegroup_states",
        "namedprocess_namegroup_oldest_start_time_seconds", "namedprocess_namegroup_context_switches_total",
    ];

    private static Tolerance ToleranceFor(string family) => family switch
    {
        "namedprocess_namegroup_num_procs" => new(0, 1),
        "namedprocess_namegroup_num_threads" => new(0.1, 4),
        // Threads of a busy process flip between Running and Sleeping from one read to the next.
        "namedprocess_namegroup_states" => new(0.25, 8),
        // PSS moves with every page another process maps or frees (compilers running alongside): read twice, it differs.
        "namedprocess_namegroup_memory_bytes" => new(0.3, 8 << 20),
        "namedprocess_namegroup_cpu_seconds_total" => new(0.1, 0.5),
        "namedprocess_namegroup_oldest_start_time_seconds" => new(0, 1.0),
        "namedprocess_namegroup_open_filedesc" => new(0.1, 8),
        "namedprocess_namegroup_worst_fd_ratio" => new(0.1, 0.01),
        "namedprocess_namegroup_read_bytes_total" or "namedprocess_namegroup_write_bytes_total" => new(0.1, 4 << 20),
        "namedprocess_namegroup_major_page_faults_total" or "namedprocess_namegroup_minor_page_faults_total" => new(0.1, 20_000),
        "namedprocess_namegroup_context_switches_total" => new(0.1, 5_000),
        _ => Tolerance.Exact,
    };

    [Fact]
    public async Task Namegroup_families_have_the_same_groups_and_agreeing_values()
    {
        var dir = Directory.CreateTempSubdirectory("opsmon-pe-");
        try
        {
            var peConfig = Path.Combine(dir.FullName, "pe.yml");
            var ourConfig = Path.Combine(dir.FullName, "opsmon.yml");
            await File.WriteAllTextAsync(peConfig, "process_names:\n" + Grouping + "\n");
            await File.WriteAllTextAsync(ourConfig, "process:\n  groups:\n" + string.Join("\n", Grouping.Split('\n').Select(l => "    " + l)) + "\n");
            var pePort = RunningProcess.FreePort();
            var ourPort = RunningProcess.FreePort();
            // Both count a group's CPU from their own start; Opsmon starts first so that its own start-up
            // (JIT, in the dotnet group) is outside both windows, and process-exporter's start is short.
            await using var opsmon = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{ourPort}", "--config", ourConfig, "--data", Path.Combine(dir.FullName, "data"));
            await opsmon.WaitForHttpAsync($"http://127.0.0.1:{ourPort}/-/healthy");
            await using var pe = RunningProcess.Start(Tools.Require("prometheus-process-exporter"), ["-web.listen-address", $"127.0.0.1:{pePort}", "-config.path", peConfig]);
            await pe.WaitForHttpAsync($"http://127.0.0.1:{pePort}/metrics");

            // Two rounds: groups present in every scrape of both exporters are stable; a process that came or
            // went between the scrapes is not a disagreement.
            var first = await Parity.ScrapeTogetherAsync($"http://127.0.0.1:{ourPort}/metrics", $"http://127.0.0.1:{pePort}/metrics");
            await Task.Delay(1000);
            var second = await Parity.ScrapeTogetherAsync($"http://127.0.0.1:{ourPort}/metrics", $"http://127.0.0.1:{pePort}/metrics");
            var ours = Exposition.Parse(second.Ours);
            var theirs = Exposition.Parse(second.Theirs);
            var oursFirst = Groups(Exposition.Parse(first.Ours)).ToHashSet();
            var theirsFirst = Groups(Exposition.Parse(first.Theirs)).ToHashSet();
            var stable = oursFirst.Intersect(theirsFirst).Intersect(Groups(ours)).Intersect(Groups(theirs)).ToHashSet();
            // A group one exporter saw in both rounds must have been seen by the other in at least one
            // (processes started or ended by tests running alongside may fall between the rounds).
            var onlyPeer = theirsFirst.Intersect(Groups(theirs)).Except(oursFirst).Except(Groups(ours)).ToList();
            var onlyOurs = oursFirst.Intersect(Groups(ours)).Except(theirsFirst).Except(Groups(theirs)).ToList();

            // A group that is busy between the rounds (a compiler, another test's agent) changes faster than the
            // two exporters' reads can be lined up: its values are not comparable, only its presence is.
            var busy = Busy(Exposition.Parse(first.Ours), ours);

            Assert.True(onlyPeer.Count == 0 && onlyOurs.Count == 0, $"groups only process-exporter has: {string.Join(", ", onlyPeer)}; only Opsmon has: {string.Join(", ", onlyOurs)}");
            Assert.True(stable.Except(busy).Count() >= 3, $"expected several stable, quiet groups, got {string.Join(", ", stable.Except(busy))}");
            // Counters are compared by their increase between the rounds: each exporter counts from its own
            // start, and processes started between the two starts (other tests run alongside) are counted in
            // full by one and as deltas by the other. The increase over the same interval must agree.
            var report = Parity.Compare(
                Increase(Exposition.Parse(first.Ours), ours),
                Increase(Exposition.Parse(first.Theirs), theirs),
                include: name => name.StartsWith("namedprocess_namegroup_", StringComparison.Ordinal),
                tolerance: ToleranceFor,
                // process-exporter's counters wrap to ~1.8e19 when a group member exits with fewer counts than it
                // started with (a uint64 underflow in its tracker): that is the peer's bug, not a disagreement.
                ignoreSeries: s => !stable.Contains(s.Labels.GetValueOrDefault("groupname", "")) || busy.Contains(s.Labels.GetValueOrDefault("groupname", "")) || s.Value >= 9.2e18);
            Assert.True(report.Problems.Count == 0, report.ToString());
            Assert.All(RequiredFamilies, f => Assert.Contains(f, report.Compared));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Groups that used more than half a core between the rounds or whose resident memory moved by more than 5%.</summary>
    private static HashSet<string> Busy(Dictionary<string, ParsedFamily> before, Dictionary<string, ParsedFamily> after)
    {
        static Dictionary<string, double> Sum(Dictionary<string, ParsedFamily> f, string family, string? memtype = null) =>
            f.TryGetValue(family, out var fam)
                ? fam.Samples.Where(x => memtype is null || x.Labels.GetValueOrDefault("memtype") == memtype)
                    .GroupBy(x => x.Labels["groupname"]).ToDictionary(g => g.Key, g => g.Sum(x => x.Value))
                : [];
        var cpu0 = Sum(before, "namedprocess_namegroup_cpu_seconds_total");
        var cpu1 = Sum(after, "namedprocess_namegroup_cpu_seconds_total");
        var rss0 = Sum(before, "namedprocess_namegroup_memory_bytes", "resident");
        var rss1 = Sum(after, "namedprocess_namegroup_memory_bytes", "resident");
        var busy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (group, cpu) in cpu1)
        {
            if (cpu - cpu0.GetValueOrDefault(group) > 0.5 ||
                Math.Abs(rss1.GetValueOrDefault(group) - rss0.GetValueOrDefault(group)) > 0.05 * Math.Max(rss0.GetValueOrDefault(group), 1))
            {
                busy.Add(group);
            }
        }

        return busy;
    }

    /// <summary>Counter families become their increase from <paramref name="before"/> to <paramref name="after"/>
    /// (series present in both); other families keep their values from <paramref name="after"/>.</summary>
    private static Dictionary<string, ParsedFamily> Increase(Dictionary<string, ParsedFamily> before, Dictionary<string, ParsedFamily> after)
    {
        var result = new Dictionary<string, ParsedFamily>(StringComparer.Ordinal);
        foreach (var (name, family) in after)
        {
            if (family.Type != "counter" || !before.TryGetValue(name, out var earlier))
            {
                result[name] = family;
                continue;
            }

            var old = earlier.Samples.ToDictionary(x => x.LabelKey, x => x.Value);
            var samples = family.Samples.Where(x => old.ContainsKey(x.LabelKey)).Select(x => x with { Value = x.Value - old[x.LabelKey] }).ToList();
            result[name] = family with { Samples = samples };
        }

        return result;
    }

    /// <summary>Groups with live members: both exporters keep a group whose processes all exited (with zero gauges), and one
    /// may have seen a short-lived process the other never did.</summary>
    private static IEnumerable<string> Groups(Dictionary<string, ParsedFamily> families) =>
        families.TryGetValue("namedprocess_namegroup_num_procs", out var f) ? f.Samples.Where(s => s.Value > 0).Select(s => s.Labels["groupname"]) : [];
}
