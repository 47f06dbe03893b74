using System.Globalization;
using BenchmarkDotNet.Attributes;
using Opsmon.Analysis;
using Opsmon.Core.Series;

namespace Opsmon.Benchmarks;

/// <summary>
/// One analysis pass (every doctor check, the leak scan over every process and cgroup, the forecasts) over a day
/// of history of 1,000 processes sampled every minute: the window `opsmon doctor --from DIR --window 24h` analyses.
/// The data sits in plain arrays, so the figures are the analysis's own, not the store's decoding.
/// </summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private const long StartMs = 1_764_000_000_000;
    private const long StepMs = 60_000;
    private const int Samples = 24 * 60 + 1;

    private ArrayQuerier _querier = null!;
    private readonly Analyzer _analyzer = new();

    [Params(1000)]
    public int Processes { get; set; }

    [GlobalSetup]
    public void Setup() => _querier = Generate(Processes);

    [Benchmark]
    public int AnalyzeDay()
    {
        var result = _analyzer.Analyze(_querier, StartMs, StartMs + ((Samples - 1) * StepMs), Thresholds.Default, new MachineFacts(2, 4096, 0, "bench"));
        return result.Report.Findings.Count + result.Samples.Count;
    }

    /// <summary>A 2-core machine with 1,000 processes: most steady and noisy, every 50th leaking, every 50th (+25) a sawtooth.</summary>
    internal static ArrayQuerier Generate(int processes)
    {
        var q = new ArrayQuerier(StartMs, StepMs, Samples);
        var rnd = new Random(42);
        for (var cpu = 0; cpu < 2; cpu++)
        {
            var c = cpu.ToString(CultureInfo.InvariantCulture);
            q.Counter("node_cpu_seconds_total", 0.7, ("cpu", c), ("mode", "idle"));
            q.Counter("node_cpu_seconds_total", 0.2, ("cpu", c), ("mode", "user"));
            q.Counter("node_cpu_seconds_total", 0.08, ("cpu", c), ("mode", "system"));
            q.Counter("node_cpu_seconds_total", 0.02, ("cpu", c), ("mode", "iowait"));
            q.Counter("node_cpu_seconds_total", 0, ("cpu", c), ("mode", "steal"));
        }

        q.Gauge("node_procs_running", 1).Gauge("node_load1", 0.8).Gauge("node_procs_blocked", 0);
        q.Counter("node_pressure_cpu_waiting_seconds_total", 0.02).Counter("node_pressure_memory_waiting_seconds_total", 0.001)
            .Counter("node_pressure_memory_stalled_seconds_total", 0).Counter("node_pressure_io_waiting_seconds_total", 0.01);
        q.Gauge("node_memory_MemTotal_bytes", 24e9);
        q.Series("node_memory_MemAvailable_bytes", i => 20e9 - (i * 1e5) + (Gaussian(rnd) * 50e6));
        q.Gauge("node_memory_SwapTotal_bytes", 0).Gauge("node_memory_SwapFree_bytes", 0);
        q.Counter("node_vmstat_pswpin", 0).Counter("node_vmstat_pswpout", 0).Counter("node_vmstat_pgmajfault", 2).Gauge("node_vmstat_oom_kill", 0);
        foreach (var dev in new[] { "vda", "vdb" })
        {
            var d = ("device", dev);
            q.Counter("node_disk_io_time_seconds_total", 0.05, d).Counter("node_disk_reads_completed_total", 20, d)
                .Counter("node_disk_writes_completed_total", 30, d).Counter("node_disk_read_time_seconds_total", 0.04, d)
                .Counter("node_disk_write_time_seconds_total", 0.06, d).Counter("node_disk_io_time_weighted_seconds_total", 0.1, d);
        }

        foreach (var mount in new[] { "/", "/home", "/var" })
        {
            (string, string)[] fs = [("device", "/dev/vda"), ("fstype", "ext4"), ("mountpoint", mount)];
            q.Gauge("node_filesystem_size_bytes", 100e9, fs).Gauge("node_filesystem_files", 6e6, fs).Gauge("node_filesystem_files_free", 5e6, fs)
                .Gauge("node_filesystem_readonly", 0, fs);
            q.Series("node_filesystem_avail_bytes", i => 50e9 - (i * 1e5) + (Gaussian(rnd) * 1e6), fs);
        }

        var eth = ("device", "eth0");
        q.Counter("node_network_receive_errs_total", 0, eth).Counter("node_network_transmit_errs_total", 0, eth)
            .Counter("node_network_receive_drop_total", 0, eth).Counter("node_network_transmit_drop_total", 0, eth);
        q.Counter("node_netstat_Tcp_OutSegs", 200).Counter("node_netstat_Tcp_RetransSegs", 0.1);
        q.Gauge("node_filefd_allocated", 3000).Gauge("node_filefd_maximum", 1e6);

        for (var g = 0; g < 40; g++)
        {
            var cg = ("cgroup", "/system.slice/unit" + g.ToString(CultureInfo.InvariantCulture) + ".service");
            q.Counter("opsmon_cgroup_cpu_usage_seconds_total", 0.01, cg).Counter("opsmon_cgroup_cpu_throttled_seconds_total", 0, cg);
            q.Series("opsmon_cgroup_memory_current_bytes", _ => 200e6 + (Gaussian(rnd) * 1e6), cg);
            q.Gauge("opsmon_cgroup_memory_max_bytes", double.PositiveInfinity, cg);
        }

        for (var p = 0; p < processes; p++)
        {
            (string, string)[] labels = [("pid", (1000 + p).ToString(CultureInfo.InvariantCulture)), ("name", "proc" + (p % 97).ToString(CultureInfo.InvariantCulture))];
            var rss = 5e6 + (rnd.NextDouble() * 500e6);
            Func<int, double> memory = (p % 50) switch
            {
                0 => i => rss + (i * 60 * 20_000.0) + (Gaussian(rnd) * rss * 0.002),
                25 => i => rss + ((i % 30) * 1e6),
                _ => _ => rss + (Gaussian(rnd) * rss * 0.002),
            };
            q.Series("opsmon_process_resident_memory_bytes", memory, labels);
            q.Series("opsmon_process_uss_bytes", i => memory(i) * 0.8, labels);
            q.Series("opsmon_process_pss_bytes", i => memory(i) * 0.9, labels);
            q.Counter("opsmon_process_cpu_seconds_total", 0.001, [.. labels, ("mode", "user")]);
            q.Counter("opsmon_process_cpu_seconds_total", 0.0005, [.. labels, ("mode", "system")]);
            q.Counter("opsmon_process_read_bytes_total", 100, labels).Counter("opsmon_process_write_bytes_total", 200, labels);
            q.Gauge("opsmon_process_open_fds", 20, labels).Gauge("opsmon_process_max_fds", 1024, labels).Gauge("opsmon_process_threads", 4, labels);
            q.Gauge("opsmon_process_swap_bytes", 0, labels);
        }

        return q;
    }

    private static double Gaussian(Random rnd) =>
        Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());

    /// <summary>Series on a fixed time grid, values in arrays, selected by the metric name alone (all the analysis asks).</summary>
    internal sealed class ArrayQuerier(long startMs, long stepMs, int samples) : IQuerier
    {
        private readonly Dictionary<string, List<Stored>> _byName = new(StringComparer.Ordinal);

        public ArrayQuerier Series(string name, Func<int, double> value, params (string Name, string Value)[] labels)
        {
            var v = new double[samples];
            for (var i = 0; i < samples; i++)
            {
                v[i] = value(i);
            }

            if (!_byName.TryGetValue(name, out var list))
            {
                list = [];
                _byName[name] = list;
            }

            list.Add(new Stored(Labels.From([.. labels, (Labels.MetricName, name)]), startMs, stepMs, v));
            return this;
        }

        public ArrayQuerier Gauge(string name, double value, params (string Name, string Value)[] labels) => Series(name, _ => value, labels);

        public ArrayQuerier Counter(string name, double perSecond, params (string Name, string Value)[] labels) =>
            Series(name, i => 1000 + (perSecond * i * stepMs / 1000.0), labels);

        public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
        {
            var name = matchers.First(static m => m.Name == Labels.MetricName);
            return _byName.TryGetValue(name.Value, out var list) ? list.Where(s => matchers.All(m => m.Matches(s.Labels.Get(m.Name)))) : [];
        }

        public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) => throw new NotSupportedException();

        public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) => throw new NotSupportedException();

        internal sealed class Stored(Labels labels, long startMs, long stepMs, double[] values) : IStoredSeries
        {
            public Labels Labels => labels;

            public ISampleIterator Samples() => new Iterator(startMs, stepMs, values);
        }

        private sealed class Iterator(long startMs, long stepMs, double[] values) : ISampleIterator
        {
            private int _i = -1;

            public bool MoveNext() => ++_i < values.Length;

            public long Timestamp => startMs + (_i * stepMs);

            public double Value => values[_i];
        }
    }
}
