namespace Opsmon.Core.Metrics;

/// <summary>The type of a metric family, as the Prometheus exposition formats name them.</summary>
public enum MetricType
{
    Untyped,
    Counter,
    Gauge,
    Info,
    StateSet,
    Summary,
    Histogram,
}
