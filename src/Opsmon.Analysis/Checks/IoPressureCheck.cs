namespace Opsmon.Analysis.Checks;

/// <summary>Pressure stall information for I/O: share of time some task stalled waiting for block I/O.</summary>
public sealed class IoPressureCheck : IDoctorCheck
{
    public string Name => "io.pressure";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var some = context.Data.Rate("node_pressure_io_waiting_seconds_total") * 100;
        if (double.IsNaN(some))
        {
            yield break;
        }

        var t = context.Thresholds;
        var severity = Judge.Above(some, t.IoPressureWarningPercent, t.IoPressureCriticalPercent);
        var top = severity == Severity.Ok ? [] : context.Consumers.Io();
        yield return Judge.Make(Name, severity, "io",
            "Some task stalled on I/O " + Judge.Num(some) + "% of the time" + Judge.Mostly(top) + ".",
            "Throttle " + (top.Count > 0 ? Judge.Culprit(top) : "the top I/O process") + " (ionice -c3, cgroup io.max) or move it to faster storage.",
            [new Evidence("some", some, "percent")],
            top);
    }
}
