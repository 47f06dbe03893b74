namespace Opsmon.Analysis.Checks;

/// <summary>
/// One doctor check: reads the window through the context and says what it found. A check whose data is
/// absent returns nothing; one whose data is fine may return ok findings carrying the figures.
/// </summary>
public interface IDoctorCheck
{
    /// <summary>Short unique name, e.g. <c>cpu.utilization</c>.</summary>
    string Name { get; }

    IEnumerable<Finding> Run(AnalysisContext context);
}
