using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Opsmon.Collectors;
using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Linux.Processes;
using Opsmon.Core.Metrics;

namespace Opsmon.Benchmarks;

/// <summary>
/// Parse-only cost of the /proc parsers over recorded fixture text grown to <see cref="Lines"/> lines, with the
/// memory diagnoser: a parser that allocated per line (a string, a Split) would allocate ~100x more at 1,000
/// lines than at 10. The per-process parsers (status, io, smaps_rollup, limits, stat) return a struct and
/// must allocate nothing; the host collectors (stat, meminfo, vmstat) are run whole, over a file whose extra
/// lines repeat keys or are lines the collector skips, so the families they add stay the same and only the
/// parsing grows.
/// Run: dotnet run -c Release --project bench/Opsmon.Benchmarks -- --filter '*ParserBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private const string Fixture = "debian12-vm";

    private byte[] _status = [];
    private byte[] _io = [];
    private byte[] _smaps = [];
    private byte[] _limits = [];
    private byte[] _stat = [];
    private string _tree = "";
    private StatCollector? _statCollector;
    private MeminfoCollector? _meminfo;
    private VmstatCollector? _vmstat;

    [Params(10, 1000)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var proc = Path.Combine(AppContext.BaseDirectory, "Fixtures", Fixture, "proc");
        _status = Grow(File.ReadAllText(Path.Combine(proc, "1104", "status")), Lines);
        _io = Grow(File.ReadAllText(Path.Combine(proc, "1104", "io")), Lines);
        _smaps = Grow(File.ReadAllText(Path.Combine(proc, "1104", "smaps_rollup")), Lines);
        _limits = Grow(File.ReadAllText(Path.Combine(proc, "1104", "limits")), Lines);
        _stat = File.ReadAllBytes(Path.Combine(proc, "1104", "stat"));

        // A /proc of its own: /proc/stat with as many per-CPU lines as it takes (the stat collector skips
        // them), meminfo and vmstat with their first lines repeated.
        _tree = Path.Combine(Path.GetTempPath(), "opsmon-parser-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_tree, "proc"));
        var stat = new StringBuilder(File.ReadAllText(Path.Combine(proc, "stat")));
        for (var cpu = 2; stat.ToString().Count(c => c == '\n') < Lines; cpu++)
        {
            stat.Append(CultureInfo.InvariantCulture, $"cpu{cpu} 6722 0 2689 38326 24 0 88 0 0 0\n");
        }

        File.WriteAllText(Path.Combine(_tree, "proc", "stat"), stat.ToString());
        File.WriteAllBytes(Path.Combine(_tree, "proc", "meminfo"), Grow(File.ReadAllText(Path.Combine(proc, "meminfo")), Lines));
        File.WriteAllBytes(Path.Combine(_tree, "proc", "vmstat"), Grow(File.ReadAllText(Path.Combine(proc, "vmstat")), Lines));

        var context = CollectorContext.For(new FsRoot(_tree));
        _statCollector = new StatCollector(context);
        _meminfo = new MeminfoCollector(context);
        _vmstat = new VmstatCollector(context);

        // The name caches fill on the first update; the benchmark measures every later one.
        _statCollector.Update(new MetricSink());
        _meminfo.Update(new MetricSink());
        _vmstat.Update(new MetricSink());
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_tree, recursive: true);

    [Benchmark]
    public ulong PidStatus() => ProcStatus.Parse(_status).VoluntaryCtxSwitches;

    [Benchmark]
    public ulong PidIo() => ProcIo.Parse(_io).ReadBytes;

    [Benchmark]
    public ulong PidSmapsRollup() => SmapsRollup.Parse(_smaps).PssBytes;

    [Benchmark]
    public ulong PidLimits() => ProcLimits.OpenFilesSoftLimit(_limits);

    /// <summary>One line whatever <see cref="Lines"/> is: the baseline of a parse that allocates nothing.</summary>
    [Benchmark]
    public ulong PidStat() => ProcStat.TryParse(_stat, out var stat, out _) ? stat.StartTicks : 0;

    [Benchmark]
    public int ProcStatFile() => Update(_statCollector!);

    [Benchmark]
    public int Meminfo() => Update(_meminfo!);

    [Benchmark]
    public int Vmstat() => Update(_vmstat!);

    private static int Update(ICollector collector)
    {
        var sink = new MetricSink();
        collector.Update(sink);
        return sink.Families.Count;
    }

    /// <summary>The first ten lines of <paramref name="text"/>, repeated until there are <paramref name="lines"/>.</summary>
    private static byte[] Grow(string text, int lines)
    {
        var first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(10).ToArray();
        var grown = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            grown.Append(first[i % first.Length]).Append('\n');
        }

        return Encoding.UTF8.GetBytes(grown.ToString());
    }
}
