using Opsmon.Analysis.Data;
using Opsmon.Analysis.Forecast;
using Opsmon.Analysis.Leaks;
using Opsmon.Core.Series;

namespace Opsmon.Analysis;

/// <summary>
/// What a check sees: the window's data (read once and shared), the thresholds, the machine's facts, and the
/// results that several checks share (consumers, leak scan, forecasts), computed on first use.
/// </summary>
public sealed class AnalysisContext
{
    private LeakScan? _leaks;
    private IReadOnlyList<ResourceForecast>? _forecasts;

    public AnalysisContext(IQuerier querier, AnalysisWindow window, Thresholds thresholds, MachineFacts machine)
    {
        Window = window;
        Thresholds = thresholds;
        Data = new MetricReader(querier, window.StartMs, window.EndMs);
        Consumers = new Consumers(Data, thresholds.TopConsumers);
        Machine = Resolve(machine, Data);
    }

    public AnalysisWindow Window { get; }

    public Thresholds Thresholds { get; }

    public MetricReader Data { get; }

    public Consumers Consumers { get; }

    /// <summary>The facts given, with cores and memory filled in from the data where they were left 0.</summary>
    public MachineFacts Machine { get; }

    public LeakScan Leaks => _leaks ??= LeakScanner.Scan(Data, Window.StartMs, Thresholds.Leak);

    public IReadOnlyList<ResourceForecast> Forecasts => _forecasts ??= Forecaster.All(Data, Window.StartMs);

    private static MachineFacts Resolve(MachineFacts machine, MetricReader data)
    {
        if (machine.Cores <= 0)
        {
            var cores = data.Series("node_cpu_seconds_total").Select(static s => s["cpu"]).Distinct(StringComparer.Ordinal).Count();
            machine = machine with { Cores = cores };
        }

        if (machine.MemTotalBytes <= 0)
        {
            var total = data.Last("node_memory_MemTotal_bytes");
            machine = machine with { MemTotalBytes = double.IsNaN(total) ? 0 : (long)total };
        }

        return machine;
    }
}
