using Opsmon.Core.Metrics;

namespace Opsmon.Collectors;

/// <summary>
/// One collector: reads one area of the machine and writes metric families. An exception means the
/// collection failed; the registry records that and the rest of the scrape is still served.
/// </summary>
public interface ICollector
{
    string Name { get; }

    void Update(MetricSink sink);
}

/// <summary>Thrown when a collector has nothing to report on this machine (no PSI, no hwmon): not an error.</summary>
public sealed class NoDataException(string message) : Exception(message);
