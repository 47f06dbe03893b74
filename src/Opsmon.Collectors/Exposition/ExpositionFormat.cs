namespace Opsmon.Collectors.Exposition;

public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4.</summary>
    Text,

    /// <summary>OpenMetrics 1.0 text.</summary>
    OpenMetrics,
}

public static class ExpositionContentType
{
    public const string Text = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>Picks the format from an Accept header the way Prometheus's client libraries negotiate it.</summary>
    public static ExpositionFormat Negotiate(string? accept) =>
        accept is not null && accept.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
            ? ExpositionFormat.OpenMetrics
            : ExpositionFormat.Text;

    public static string For(ExpositionFormat format) => format == ExpositionFormat.OpenMetrics ? OpenMetrics : Text;
}
