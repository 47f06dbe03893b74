using System.Globalization;

namespace Opsmon.Analysis.Checks;

/// <summary>Shared helpers for checks: classify a figure against thresholds, build findings, format numbers.</summary>
internal static class Judge
{
    /// <summary>Severity of a figure where more is worse.</summary>
    public static Severity Above(double value, double warning, double critical) =>
        double.IsNaN(value) ? Severity.Ok : value > critical ? Severity.Critical : value > warning ? Severity.Warning : Severity.Ok;

    /// <summary>Severity of a figure where less is worse.</summary>
    public static Severity Below(double value, double warning, double critical) =>
        double.IsNaN(value) ? Severity.Ok : value < critical ? Severity.Critical : value < warning ? Severity.Warning : Severity.Ok;

    /// <summary>
    /// A finding; an ok one keeps its figures but drops the suggestion and the consumers, which only explain a problem.
    /// </summary>
    public static Finding Make(
        string id,
        Severity severity,
        string resource,
        string explanation,
        string suggestion,
        IReadOnlyList<Evidence> evidence,
        IReadOnlyList<ProcessUsage>? processes = null,
        IReadOnlyList<CgroupUsage>? cgroups = null) =>
        severity == Severity.Ok
            ? new Finding(id, severity, resource, explanation, string.Empty, evidence, [], [])
            : new Finding(id, severity, resource, explanation, suggestion, evidence, processes ?? [], cgroups ?? []);

    public static string Num(double value, int decimals = 1) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Bytes in binary units, e.g. <c>1.5 GiB</c>.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var i = 0;
        var v = Math.Abs(bytes);
        while (v >= 1024 && i < units.Length - 1)
        {
            v /= 1024;
            i++;
        }

        return (bytes < 0 ? "-" : string.Empty) + Num(v, i == 0 ? 0 : 1) + " " + units[i];
    }

    /// <summary>A duration for people, e.g. <c>3.5 h</c>.</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 120 => Num(seconds, 0) + " s",
        < 7200 => Num(seconds / 60) + " min",
        < 172800 => Num(seconds / 3600) + " h",
        _ => Num(seconds / 86400) + " days",
    };

    /// <summary>"name (pid 42)" for the top consumer, or an empty string when none is known.</summary>
    public static string Culprit(IReadOnlyList<ProcessUsage> processes) =>
        processes.Count == 0 ? string.Empty : processes[0].Pid is { } pid
            ? string.Create(CultureInfo.InvariantCulture, $"{processes[0].Name} (pid {pid})")
            : processes[0].Name;

    /// <summary>", mostly NAME (pid N)" to append to an explanation when a top consumer is known.</summary>
    public static string Mostly(IReadOnlyList<ProcessUsage> processes) =>
        processes.Count == 0 ? string.Empty : ", mostly " + Culprit(processes);
}
