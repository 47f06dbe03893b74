namespace Opsmon.Analysis.Checks;

/// <summary>
/// One finding per leak suspect from the leak scan: a warning, critical when the growth uses up the
/// machine's available memory or the cgroup's memory.max sooner than the leak threshold says.
/// </summary>
public sealed class MemoryLeakCheck : IDoctorCheck
{
    public string Name => "memory.leak";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var critical = context.Thresholds.Leak.ExhaustionCritical.TotalSeconds;
        foreach (var leak in context.Leaks.Suspects)
        {
            var severity = leak.SecondsUntilExhausted is { } s && s < critical ? Severity.Critical : Severity.Warning;
            var who = leak.Pid is { } pid ? leak.Name + " (pid " + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")" : "cgroup " + leak.Name;
            var evidence = new List<Evidence>
            {
                new("growth", leak.BytesPerSecond, "bytes/s"),
                new("growth_mb_per_hour", leak.MegabytesPerHour, "MB/h"),
                new("growing_for", leak.GrowingForSeconds, "seconds"),
                new("current", leak.CurrentBytes, "bytes"),
                new("confidence", leak.Confidence, "ratio"),
                new("p_value", leak.PValue, "ratio"),
            };
            if (leak.SecondsUntilExhausted is { } until)
            {
                evidence.Add(new Evidence("seconds_until_exhausted", until, "seconds"));
            }

            if (leak.ManagedBytesPerSecond is { } managed)
            {
                evidence.Add(new Evidence("managed_heap_growth", managed, "bytes/s"));
            }

            if (leak.Gen2BytesPerSecond is { } gen2)
            {
                evidence.Add(new Evidence("gen2_growth", gen2, "bytes/s"));
            }

            yield return Judge.Make(Name, severity, leak.Pid is { } p ? "process:" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "cgroup:" + leak.Name,
                who + " grows its memory (" + leak.Metric + ") steadily by " + Judge.Num(leak.MegabytesPerHour) + " MB/h for " +
                Judge.Duration(leak.GrowingForSeconds) +
                (leak.SecondsUntilExhausted is { } u ? ", which uses up " + leak.Limit + " in " + Judge.Duration(u) : string.Empty) + HeapClause(leak) + ".",
                Suggestion(leak, who),
                evidence,
                leak.Pid is null ? [] : [new ProcessUsage(leak.Pid, leak.Name, leak.BytesPerSecond, "bytes/s")],
                leak.Pid is null ? [new CgroupUsage(leak.Name, leak.BytesPerSecond, "bytes/s")] : []);
        }
    }

    /// <summary>What the GC heap of a .NET process says about where the memory goes.</summary>
    private static string HeapClause(Leaks.LeakFinding leak) => leak.Heap switch
    {
        "managed" => "; the managed heap grew " + Judge.Num(leak.ManagedBytesPerSecond!.Value * 60 / 1e6) + " MB/min" +
            (leak.Gen2BytesPerSecond is { } g ? " (gen2 " + Judge.Num(g * 60 / 1e6) + " MB/min)" : string.Empty),
        "native" => "; native memory grew while the GC heap stayed flat (" + Judge.Num(leak.ManagedBytesPerSecond!.Value * 60 / 1e6) + " MB/min)",
        _ => string.Empty,
    };

    private static string Suggestion(Leaks.LeakFinding leak, string who) => leak.Heap switch
    {
        "managed" => "Take a heap dump of " + who + " (dotnet-gcdump collect -p " + leak.Pid!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) +
            ") and look for what roots the growing objects; restart it to reclaim the memory meanwhile.",
        "native" => "The growth is outside the GC heap (native allocations, unmanaged buffers, mapped memory): check " + who +
            "'s native libraries and unmanaged allocations; restart it to reclaim the memory meanwhile.",
        _ => "Restart " + who + " to reclaim the memory and report the leak to its maintainers; meanwhile cap it with a cgroup memory.max.",
    };
}
