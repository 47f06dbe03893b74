namespace Opsmon.Analysis.Checks;

/// <summary>Forecast time until MemAvailable reaches zero at the window's robust rate of decline.</summary>
public sealed class MemoryExhaustionCheck : IDoctorCheck
{
    public string Name => "memory.exhaustion";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var forecast = context.Forecasts.FirstOrDefault(static f => f.Mountpoint is null);
        if (forecast?.SecondsUntilExhausted is not { } seconds)
        {
            yield break;
        }

        var t = context.Thresholds;
        var severity = forecast.Confidence < t.ForecastMinConfidence
            ? Severity.Ok
            : Judge.Below(seconds, t.MemoryExhaustedWarning.TotalSeconds, t.MemoryExhaustedCritical.TotalSeconds);
        var growers = severity == Severity.Ok ? [] : context.Leaks.Suspects
            .Where(static l => l.Pid is not null)
            .Take(t.TopConsumers)
            .Select(static l => new ProcessUsage(l.Pid, l.Name, l.BytesPerSecond, "bytes/s"))
            .ToList();
        yield return Judge.Make(Name, severity, "memory",
            "At the current rate (" + Judge.Bytes(forecast.ConsumptionBytesPerSecond) + "/s) available memory runs out in " +
            Judge.Duration(seconds) + " (confidence " + Judge.Num(forecast.Confidence * 100, 0) + "%).",
            "Find what grows (see the memory.leak findings" + (growers.Count > 0 ? ", " + Judge.Culprit(growers) : string.Empty) +
            ") and restart or fix it before the OOM killer picks a victim.",
            [
                new Evidence("seconds_until_exhausted", seconds, "seconds"),
                new Evidence("consumption", forecast.ConsumptionBytesPerSecond, "bytes/s"),
                new Evidence("available", forecast.AvailableBytes, "bytes"),
                new Evidence("confidence", forecast.Confidence, "ratio"),
            ],
            growers);
    }
}
