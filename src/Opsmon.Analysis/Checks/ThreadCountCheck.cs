using System.Globalization;

namespace Opsmon.Analysis.Checks;

/// <summary>Processes with an exploding number of threads (a thread leak or an unbounded pool).</summary>
public sealed class ThreadCountCheck : IDoctorCheck
{
    public string Name => "process.threads";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        foreach (var p in context.Consumers.Threads())
        {
            var severity = Judge.Above(p.Value, t.ThreadsWarningPerProcess, t.ThreadsCriticalPerProcess);
            if (severity == Severity.Ok)
            {
                continue;
            }

            var who = Judge.Culprit([p]);
            yield return Judge.Make(Name, severity, p.Pid is { } pid ? "process:" + pid.ToString(CultureInfo.InvariantCulture) : "group:" + p.Name,
                who + " runs " + Judge.Num(p.Value, 0) + " threads.",
                "Check " + who + " for a thread leak or an unbounded pool (ls /proc/PID/task | wc -l over time); each thread costs a stack and a pid.",
                [new Evidence("threads", p.Value, "count")],
                [p]);
        }
    }
}
