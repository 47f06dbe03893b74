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
/// parsing grows. netdev and diskstats get one more device per line (dev{i}, dm-{i}): there the families grow with
/// the lines (16 and 17 samples a device), so what a line may cost is its samples' slots in the sink, not a string
/// or a label array (device names and their label arrays are cached from the first update). netstat reads snmp6,
/// one counter per line, grown by repeating its lines (a repeated key is reported once).
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
    private NetdevCollector? _netdev;
    private DiskstatsCollector? _diskstats;
    private NetstatCollector? _netstat;

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

        Directory.CreateDirectory(Path.Combine(_tree, "proc", "net"));
        var netdev = new StringBuilder();
        var diskstats = new StringBuilder();
        foreach (var header in File.ReadAllLines(Path.Combine(proc, "net", "dev")).Take(2))
        {
            netdev.Append(header).Append('\n');
        }

        for (var i = 0; i < Lines; i++)
        {
            netdev.Append(CultureInfo.InvariantCulture, $"  dev{i}: 25105 60 0 0 0 0 0 0 25105 60 0 0 0 0 0 0\n");
            diskstats.Append(CultureInfo.InvariantCulture, $" 253 {i} dm-{i} 361 0 23286 91 70 0 1832 40 0 244 131 0 0 0 0 12 0\n");
        }

        File.WriteAllText(Path.Combine(_tree, "proc", "net", "dev"), netdev.ToString());
        File.WriteAllText(Path.Combine(_tree, "proc", "diskstats"), diskstats.ToString());
        File.Copy(Path.Combine(proc, "net", "netstat"), Path.Combine(_tree, "proc", "net", "netstat"));
        File.Copy(Path.Combine(proc, "net", "snmp"), Path.Combine(_tree, "proc", "net", "snmp"));
        File.WriteAllBytes(Path.Combine(_tree, "proc", "net", "snmp6"), Grow(File.ReadAllText(Path.Combine(proc, "net", "snmp6")), Lines));

        var context = CollectorContext.For(new FsRoot(_tree));
        _statCollector = new StatCollector(context);
        _meminfo = new MeminfoCollector(context);
        _vmstat = new VmstatCollector(context);
        _netdev = new NetdevCollector(context);
        _diskstats = new DiskstatsCollector(context);
        _netstat = new NetstatCollector(context);

        // The name caches fill on the first update; the benchmark measures every later one.
        _statCollector.Update(new MetricSink());
        _meminfo.Update(new MetricSink());
        _vmstat.Update(new MetricSink());
        _netdev.Update(new MetricSink());
        _diskstats.Update(new MetricSink());
        _netstat.Update(new MetricSink());
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

    [Benchmark]
    public int Netdev() => Update(_netdev!);

    [Benchmark]
    public int Diskstats() => Update(_diskstats!);

    [Benchmark]
    public int Netstat() => Update(_netstat!);

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
