using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Opsmon.Query;
using Opsmon.Storage;

namespace Opsmon.Benchmarks;

/// <summary>
/// Range queries of the dashboard shapes bench/query-compare.sh times over HTTP (rate over a day at a 60 s step,
/// topk, sum by, a gauge ratio, histogram_quantile), run in-process on a store imported from generated data so the
/// engine's cost shows without the HTTP and JSON layers. The memory diagnoser shows what evaluation allocates.
/// Run: dotnet run -c Release --project bench/Opsmon.Benchmarks -- --filter '*QueryBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class QueryBenchmarks
{
    public static readonly IReadOnlyDictionary<string, string> Queries = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["rate_96_series"] = "rate(node_cpu_seconds_total{mode=~\"user|system|idle\"}[5m])",
        ["topk_process_groups"] = "topk(5, rate(namedprocess_namegroup_cpu_seconds_total[5m]))",
        ["topk_all_cpu"] = "topk(10, rate(node_cpu_seconds_total[5m]))",
        ["sum_by_mode"] = "sum by (mode) (rate(node_cpu_seconds_total[5m]))",
        ["memory_used_ratio"] = "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
        ["histogram_quantile"] = "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        ["histogram_quantile_by_handler"] = "histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))",
    };

    private string _directory = "";
    private Tsdb? _tsdb;
    private QueryEngine? _engine;

    [Params(24)]
    public int Hours { get; set; }

    [ParamsSource(nameof(Names))]
    public string Query { get; set; } = "";

    public static IEnumerable<string> Names() => Queries.Keys;

    public long Start { get; private set; }

    public long End => Start + (Hours * 3_600_000L);

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "opsmon-query-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Start = 1_700_000_000_000L;
        var file = Path.Combine(_directory, "data.om");
        using (var w = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            QueryBenchData.Write(w, Start / 1000, Hours, 15);
        }

        _tsdb = Tsdb.Open(new TsdbOptions(Path.Combine(_directory, "data")) { Retention = TimeSpan.FromDays(36_500) });
        var imported = _tsdb.Import(file);
        if (!imported.Success)
        {
            throw new InvalidOperationException("import failed: " + imported);
        }

        _engine = new QueryEngine(_tsdb);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tsdb?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public int RangeQuery()
    {
        var result = _engine!.RangeQuery(Queries[Query], Start, End, 60_000);
        return result.Value is MatrixValue m ? m.Series.Count : throw new InvalidOperationException(result.Error);
    }
}

/// <summary>
/// The series the dashboard queries read, as OpenMetrics: 256 per-CPU mode counters, 80 process-group CPU counters,
/// two memory gauges and a classic histogram (4 handlers × 11 buckets, with _sum and _count). Deterministic.
/// </summary>
public static class QueryBenchData
{
    private static readonly string[] CpuModes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
    private static readonly string[] Buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"];

    public static void Write(TextWriter w, long startSeconds, int hours, int stepSeconds)
    {
        var random = new Random(1);
        var points = hours * 3600 / stepSeconds;
        w.Write("# TYPE node_cpu_seconds counter\n");
        for (var cpu = 0; cpu < 32; cpu++)
        {
            foreach (var mode in CpuModes)
            {
                Counter(w, random, $"node_cpu_seconds_total{{cpu=\"{cpu.ToString(CultureInfo.InvariantCulture)}\",mode=\"{mode}\"}}", startSeconds, points, stepSeconds, 0.3);
            }
        }

        w.Write("# TYPE namedprocess_namegroup_cpu_seconds counter\n");
        for (var group = 0; group < 40; group++)
        {
            foreach (var mode in new[] { "system", "user" })
            {
                Counter(w, random, $"namedprocess_namegroup_cpu_seconds_total{{groupname=\"g{group.ToString(CultureInfo.InvariantCulture)}\",mode=\"{mode}\"}}", startSeconds, points, stepSeconds, random.NextDouble() * 0.3);
            }
        }

        foreach (var (name, level) in new[] { ("node_memory_MemAvailable_bytes", 8e9), ("node_memory_MemTotal_bytes", 16e9) })
        {
            w.Write($"# TYPE {name} gauge\n");
            for (var i = 0; i < points; i++)
            {
                var v = Math.Round(level * (1 + (0.1 * Math.Sin(i / 100.0))) / 1024) * 1024;
                Line(w, name, startSeconds, i, stepSeconds, v);
            }
        }

        w.Write("# TYPE http_request_duration_seconds histogram\n");
        foreach (var handler in new[] { "/api", "/login", "/metrics", "/static" })
        {
            var counts = new long[Buckets.Length];
            var series = new StringBuilder[Buckets.Length];
            for (var b = 0; b < Buckets.Length; b++)
            {
                series[b] = new StringBuilder();
            }

            for (var i = 0; i < points; i++)
            {
                // Observations per step spread over the buckets; cumulative counts never decrease.
                var n = random.Next(0, 200);
                for (var k = 0; k < n; k++)
                {
                    var bucket = Math.Min(Buckets.Length - 1, (int)(-Math.Log(1 - random.NextDouble()) * 2.5));
                    for (var b = bucket; b < Buckets.Length; b++)
                    {
                        counts[b]++;
                    }
                }

                for (var b = 0; b < Buckets.Length; b++)
                {
                    series[b].Append(CultureInfo.InvariantCulture, $"http_request_duration_seconds_bucket{{handler=\"{handler}\",le=\"{Buckets[b]}\"}} {counts[b]} {startSeconds + ((long)i * stepSeconds)}\n");
                }
            }

            foreach (var s in series)
            {
                w.Write(s);
            }
        }

        w.Write("# EOF\n");
    }

    private static void Counter(TextWriter w, Random random, string series, long startSeconds, int points, int stepSeconds, double perSecond)
    {
        var value = Math.Round(random.Next(1_000, 1_000_000) * 0.01, 2);
        for (var i = 0; i < points; i++)
        {
            value = Math.Round(value + (perSecond * stepSeconds * random.NextDouble() * 2), 2);
            Line(w, series, startSeconds, i, stepSeconds, value);
        }
    }

    private static void Line(TextWriter w, string series, long startSeconds, int i, int stepSeconds, double value) =>
        w.Write($"{series} {value.ToString("R", CultureInfo.InvariantCulture)} {(startSeconds + ((long)i * stepSeconds)).ToString(CultureInfo.InvariantCulture)}\n");
}
