namespace Opsmon.Analysis.Checks;

/// <summary>Pages swapped in and out per second (USE saturation of memory), with swap space used.</summary>
public sealed class SwapActivityCheck : IDoctorCheck
{
    public string Name => "memory.swap";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var swapIn = context.Data.Rate("node_vmstat_pswpin");
        var swapOut = context.Data.Rate("node_vmstat_pswpout");
        if (double.IsNaN(swapIn) && double.IsNaN(swapOut))
        {
            yield break;
        }

        swapIn = double.IsNaN(swapIn) ? 0 : swapIn;
        swapOut = double.IsNaN(swapOut) ? 0 : swapOut;
        var pages = swapIn + swapOut;
        var t = context.Thresholds;
        var severity = Judge.Above(pages, t.SwapPagesWarningPerSecond, t.SwapPagesCriticalPerSecond);
        var evidence = new List<Evidence>
        {
            new("swap_in", swapIn, "pages/s"),
            new("swap_out", swapOut, "pages/s"),
            new("swap_bytes", pages * context.Machine.PageSizeBytes, "bytes/s"),
        };
        var swapTotal = context.Data.Last("node_memory_SwapTotal_bytes");
        var swapFree = context.Data.Last("node_memory_SwapFree_bytes");
        if (swapTotal > 0 && !double.IsNaN(swapFree))
        {
            evidence.Add(new Evidence("swap_used_percent", (swapTotal - swapFree) / swapTotal * 100, "percent"));
        }

        var top = severity == Severity.Ok ? [] : context.Consumers.Swap();
        if (top.Count == 0 && severity != Severity.Ok)
        {
            top = context.Consumers.Memory();
        }

        yield return Judge.Make(Name, severity, "memory",
            "The machine swapped " + Judge.Num(pages, 0) + " pages per second (" + Judge.Bytes(pages * context.Machine.PageSizeBytes) + "/s)" + Judge.Mostly(top) + ".",
            "Memory is overcommitted: stop or cap " + (top.Count > 0 ? Judge.Culprit(top) : "the largest process") +
            " with a cgroup memory.max, or add memory.",
            evidence,
            top,
            severity == Severity.Ok ? [] : context.Consumers.CgroupMemory());
    }
}
