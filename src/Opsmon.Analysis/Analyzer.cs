using Opsmon.Analysis.Checks;
using Opsmon.Core.Series;

namespace Opsmon.Analysis;

/// <summary>The findings of one pass plus the derived series to publish from it.</summary>
public sealed record AnalysisResult(DoctorReport Report, IReadOnlyList<DerivedSample> Samples);

/// <summary>
/// Runs every doctor check over a window of stored data and gathers the report. One failing check never
/// fails the pass: it becomes an ok finding <c>doctor.check_failed</c> that names it.
/// </summary>
public sealed class Analyzer
{
    private readonly IReadOnlyList<IDoctorCheck> _checks;

    public Analyzer()
        : this(CheckRegistry.CreateDefault())
    {
    }

    public Analyzer(IEnumerable<IDoctorCheck> checks)
    {
        _checks = [.. checks];
    }

    public DoctorReport Run(IQuerier querier, long startMs, long endMs, Thresholds thresholds, MachineFacts machine) =>
        Analyze(querier, startMs, endMs, thresholds, machine).Report;

    public AnalysisResult Analyze(IQuerier querier, long startMs, long endMs, Thresholds thresholds, MachineFacts machine)
    {
        ArgumentNullException.ThrowIfNull(querier);
        var context = new AnalysisContext(querier, new AnalysisWindow(startMs, endMs), thresholds, machine);
        var findings = new List<Finding>();
        foreach (var check in _checks)
        {
            try
            {
                findings.AddRange(check.Run(context));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An analyzer bug must not hide what the other checks found, nor turn the exit code red.
                findings.Add(new Finding("doctor.check_failed", Severity.Ok, check.Name,
                    "The check " + check.Name + " failed: " + e.Message, string.Empty, [], [], []));
            }
        }

        findings.Sort(static (a, b) =>
        {
            var c = b.Severity.CompareTo(a.Severity);
            if (c == 0)
            {
                c = string.CompareOrdinal(a.Id, b.Id);
            }

            return c == 0 ? string.CompareOrdinal(a.Resource, b.Resource) : c;
        });
        var severity = findings.Count == 0 ? Severity.Ok : findings.Max(static f => f.Severity);
        var report = new DoctorReport(severity, (int)severity, context.Window, context.Machine, findings,
            context.Leaks.Suspects, context.Forecasts);
        return new AnalysisResult(report, DerivedMetrics.From(context));
    }
}
