using BenchmarkDotNet.Attributes;
using Opsmon.Collectors;
using Opsmon.Core.Metrics;

namespace Opsmon.Benchmarks;

/// <summary>
/// One update of each collector against the recorded fixture tree (bench/Opsmon.Benchmarks copies it), with
/// the memory diagnoser: the steady-state allocation per scrape shows whether a parser allocates per line.
/// Run: dotnet run -c Release --project bench/Opsmon.Benchmarks -- --filter '*CollectorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class CollectorBenchmarks
{
    private readonly Dictionary<string, ICollector> _collectors = [];

    [ParamsSource(nameof(Names))]
    public string Collector { get; set; } = "";

    public static IEnumerable<string> Names() => CollectorCatalog.All.Select(r => r.Name);

    [GlobalSetup]
    public void Setup()
    {
        var root = new FsRoot(Path.Combine(AppContext.BaseDirectory, "Fixtures", "debian12-vm"));
        var registration = CollectorCatalog.Find(Collector)!;
        var collector = registration.Create(CollectorContext.For(root));
        _collectors[Collector] = collector;
        // Warm caches (name caches, process tracker) so the benchmark measures the steady state.
        try
        {
            collector.Update(new MetricSink());
        }
        catch (NoDataException)
        {
        }
    }

    [Benchmark]
    public int Update()
    {
        var sink = new MetricSink();
        try
        {
            _collectors[Collector].Update(sink);
        }
        catch (NoDataException)
        {
        }

        return sink.Families.Count;
    }
}
