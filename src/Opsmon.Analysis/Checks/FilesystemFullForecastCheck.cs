namespace Opsmon.Analysis.Checks;

/// <summary>Forecast time until each filesystem is full at its robust rate of filling over the window.</summary>
public sealed class FilesystemFullForecastCheck : IDoctorCheck
{
    public string Name => "filesystem.full_forecast";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var t = context.Thresholds;
        foreach (var forecast in context.Forecasts)
        {
            if (forecast.Mountpoint is not { } mountpoint || forecast.SecondsUntilExhausted is not { } seconds)
            {
                continue;
            }

            // A low-confidence forecast (short history, no clear trend) is shown but never alarms.
            var severity = forecast.Confidence < t.ForecastMinConfidence
                ? Severity.Ok
                : Judge.Below(seconds, t.FilesystemFullWarning.TotalSeconds, t.FilesystemFullCritical.TotalSeconds);
            var top = severity == Severity.Ok ? [] : context.Consumers.Io();
            yield return Judge.Make(Name, severity, "filesystem:" + mountpoint,
                mountpoint + " fills at " + Judge.Bytes(forecast.ConsumptionBytesPerSecond) + "/s and is full in " + Judge.Duration(seconds) +
                " (confidence " + Judge.Num(forecast.Confidence * 100, 0) + "%)" + Judge.Mostly(top) + ".",
                "Find what writes to " + mountpoint + (top.Count > 0 ? " (" + Judge.Culprit(top) + " writes most)" : string.Empty) +
                ", stop or rotate it, and free space before it is full.",
                [
                    new Evidence("seconds_until_full", seconds, "seconds"),
                    new Evidence("fill_rate", forecast.ConsumptionBytesPerSecond, "bytes/s"),
                    new Evidence("available", forecast.AvailableBytes, "bytes"),
                    new Evidence("confidence", forecast.Confidence, "ratio"),
                ],
                top);
        }
    }
}
