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

            yield return Judge.Make(Name, severity, leak.Pid is { } p ? "process:" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "cgroup:" + leak.Name,
                who + " grows its memory (" + leak.Metric + ") steadily by " + Judge.Num(leak.MegabytesPerHour) + " MB/h for " +
                Judge.Duration(leak.GrowingForSeconds) +
                (leak.SecondsUntilExhausted is { } u ? ", which uses up " + leak.Limit + " in " + Judge.Duration(u) : string.Empty) + ".",
                "Restart " + who + " to reclaim the memory and report the leak to its maintainers; meanwhile cap it with a cgroup memory.max.",
                evidence,
                leak.Pid is null ? [] : [new ProcessUsage(leak.Pid, leak.Name, leak.BytesPerSecond, "bytes/s")],
                leak.Pid is null ? [new CgroupUsage(leak.Name, leak.BytesPerSecond, "bytes/s")] : []);
        }
    }
}
