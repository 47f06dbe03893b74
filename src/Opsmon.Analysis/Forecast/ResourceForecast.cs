namespace Opsmon.Analysis.Forecast;

/// <summary>
/// When a consumable resource (a filesystem's space, the machine's available memory) runs out at the
/// rate it was consumed over the window, by a robust trend fit.
/// </summary>
/// <param name="Resource"><c>memory</c> or <c>filesystem:MOUNTPOINT</c>.</param>
/// <param name="Mountpoint">The filesystem's mount point; null for memory.</param>
/// <param name="AvailableBytes">What is left at the end of the window.</param>
/// <param name="ConsumptionBytesPerSecond">Theil–Sen rate at which it is used up; negative when it is freed.</param>
/// <param name="SecondsUntilExhausted">Null when the resource is not being used up.</param>
/// <param name="Confidence">0–1: Mann–Kendall 1 − p, reduced for extrapolating far beyond the history.</param>
public sealed record ResourceForecast(
    string Resource,
    string? Mountpoint,
    double AvailableBytes,
    double ConsumptionBytesPerSecond,
    double? SecondsUntilExhausted,
    double Confidence);
