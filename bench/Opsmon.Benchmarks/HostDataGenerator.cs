using System.Globalization;
using System.Text;

namespace Opsmon.Benchmarks;

/// <summary>
/// Writes realistic host data for the storage benchmark (bench/store-compare.sh): about 500 series shaped like
/// the collectors' (per-CPU mode counters with 0.01 s resolution, memory gauges in whole kB, disk and network
/// counters, load, filesystems, process groups), one sample per series every step, deterministic for a seed.
/// The same data comes out as OpenMetrics (timestamps in seconds, for <c>opsmon import</c> and
/// <c>promtool tsdb create-blocks-from openmetrics</c>) or as Prometheus text with millisecond timestamps (for
/// VictoriaMetrics's /api/v1/import/prometheus).
/// Run: dotnet bench/…/Opsmon.Benchmarks.dll gen --start EPOCH_S [--hours 24] [--step 15] [--cpus 32]
///      [--jitter-ms 0] [--seed 1] [--format openmetrics|prometheus] --out FILE
/// </summary>
internal sealed class HostDataGenerator
{
    internal static readonly string[] CpuModes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
    internal static readonly string[] MemoryFields =
    [
        "Active", "Active_anon", "Active_file", "AnonHugePages", "AnonPages", "Buffers", "Cached", "CommitLimit",
        "Committed_AS", "Dirty", "Inactive", "Inactive_anon", "Inactive_file", "KReclaimable", "Mapped",
        "MemAvailable", "MemFree", "MemTotal", "PageTables", "SReclaimable", "SUnreclaim", "Shmem", "Slab",
        "SwapCached", "SwapFree", "SwapTotal", "VmallocUsed", "Writeback", "KernelStack", "Percpu",
    ];

    internal static readonly string[] Disks = ["nvme0n1", "nvme1n1", "sda", "sdb"];
    internal static readonly string[] DiskCounters =
    [
        "node_disk_reads_completed_total", "node_disk_writes_completed_total", "node_disk_read_bytes_total",
        "node_disk_written_bytes_total", "node_disk_io_time_seconds_total", "node_disk_read_time_seconds_total",
        "node_disk_write_time_seconds_total", "node_disk_reads_merged_total", "node_disk_writes_merged_total",
        "node_disk_io_time_weighted_seconds_total",
    ];

    internal static readonly string[] Interfaces = ["eth0", "eth1", "lo", "wlan0"];
    internal static readonly string[] NetCounters =
    [
        "node_network_receive_bytes_total", "node_network_transmit_bytes_total", "node_network_receive_packets_total",
        "node_network_transmit_packets_total", "node_network_receive_errs_total", "node_network_transmit_errs_total",
        "node_network_receive_drop_total", "node_network_transmit_drop_total",
    ];

    internal static readonly string[] Mounts = ["/", "/boot", "/home", "/var"];
    private static readonly string[] Groups =
    [
        "bash", "chrome", "code", "containerd", "cron", "dbus-daemon", "dockerd", "dotnet", "firefox", "gnome-shell",
        "java", "journald", "kworker", "llama-server", "nginx", "node", "ollama", "postgres", "python3", "redis-server",
        "rsyslogd", "slack", "sshd", "systemd", "systemd-logind", "systemd-resolve", "systemd-udevd", "tmux", "udisksd", "vim",
        "Xorg", "pipewire", "pulseaudio", "snapd", "thermald", "upowerd", "polkitd", "NetworkManager", "avahi-daemon", "cupsd",
    ];

    private readonly Random _random;
    private readonly Options _options;

    private HostDataGenerator(Options options)
    {
        _options = options;
        _random = new Random(options.Seed);
    }

    public static int Run(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"gen: {e.Message}");
            return 2;
        }

        var generator = new HostDataGenerator(options);
        using var output = new StreamWriter(options.Out, false, new UTF8Encoding(false), 1 << 20);
        var (series, samples) = generator.Write(output);
        Console.Error.WriteLine($"gen: {series} series, {samples} samples → {options.Out}");
        return 0;
    }

    private (int Series, long Samples) Write(TextWriter w)
    {
        var series = 0;
        var points = (int)(_options.Hours * 3600 / _options.Step);
        var cpuSeconds = new double[CpuModes.Length];
        WriteType(w, "node_cpu_seconds", "counter");
        for (var cpu = 0; cpu < _options.Cpus; cpu++)
        {
            // One utilisation walk per CPU, split over the modes: every mode counter of a CPU moves each step.
            Array.Clear(cpuSeconds);
            var load = _random.NextDouble() * 0.5;
            var ticks = new long[CpuModes.Length];
            var lines = new List<string>[CpuModes.Length];
            for (var m = 0; m < CpuModes.Length; m++)
            {
                ticks[m] = _random.Next(100_000, 10_000_000);
                lines[m] = new List<string>(points);
            }

            for (var i = 0; i < points; i++)
            {
                load = Math.Clamp(load + ((_random.NextDouble() - 0.5) * 0.1), 0.01, 0.98);
                var stepTicks = (long)(_options.Step * 100);
                var busy = (long)(stepTicks * load);
                long[] share =
                [
                    0, Noisy(busy * 0.05), Noisy(busy * 0.01), Noisy(busy * 0.02), Noisy(busy * 0.03), 0,
                    Noisy(busy * 0.25), 0,
                ];
                share[7] = Math.Max(0, busy - share[1] - share[2] - share[3] - share[4] - share[6]);
                share[0] = Math.Max(0, stepTicks - busy + (_random.Next(3) - 1));
                for (var m = 0; m < CpuModes.Length; m++)
                {
                    ticks[m] += share[m];
                    lines[m].Add(Sample(i, ticks[m] / 100.0));
                }
            }

            for (var m = 0; m < CpuModes.Length; m++)
            {
                var labels = $"{{cpu=\"{cpu.ToString(CultureInfo.InvariantCulture)}\",mode=\"{CpuModes[m]}\"}}";
                foreach (var line in lines[m])
                {
                    w.Write("node_cpu_seconds_total");
                    w.Write(labels);
                    w.Write(line);
                }

                series++;
            }
        }

        foreach (var field in MemoryFields)
        {
            var name = $"node_memory_{field}_bytes";
            WriteType(w, name, "gauge");
            series += Gauge(w, name, "", points, _random.Next(1, 16_000_000) * 1024.0, 0.002, 1024);
        }

        foreach (var name in DiskCounters)
        {
            WriteType(w, name[..^"_total".Length], "counter");
            foreach (var disk in Disks)
            {
                var seconds = name.Contains("seconds", StringComparison.Ordinal);
                series += Counter(w, name, $"{{device=\"{disk}\"}}", points, seconds ? 0.5 : 2_000, seconds ? 0.001 : name.Contains("bytes", StringComparison.Ordinal) ? 512 : 1);
            }
        }

        foreach (var name in NetCounters)
        {
            WriteType(w, name[..^"_total".Length], "counter");
            foreach (var iface in Interfaces)
            {
                var bytes = name.Contains("bytes", StringComparison.Ordinal);
                var errors = name.Contains("errs", StringComparison.Ordinal) || name.Contains("drop", StringComparison.Ordinal);
                series += Counter(w, name, $"{{device=\"{iface}\"}}", points, errors ? 0.02 : bytes ? 500_000 : 400, 1);
            }
        }

        foreach (var (name, level) in new[] { ("node_load1", 1.5), ("node_load5", 1.4), ("node_load15", 1.3), ("node_procs_running", 2.0), ("node_procs_blocked", 0.2) })
        {
            WriteType(w, name, "gauge");
            series += Gauge(w, name, "", points, level, 0.1, name.StartsWith("node_load", StringComparison.Ordinal) ? 0.01 : 1);
        }

        foreach (var (name, rate) in new[] { ("node_context_switches_total", 20_000.0), ("node_intr_total", 15_000.0), ("node_forks_total", 30.0) })
        {
            WriteType(w, name[..^"_total".Length], "counter");
            series += Counter(w, name, "", points, rate, 1);
        }

        foreach (var name in new[] { "node_filesystem_avail_bytes", "node_filesystem_free_bytes", "node_filesystem_size_bytes", "node_filesystem_files_free" })
        {
            WriteType(w, name, "gauge");
            foreach (var mount in Mounts)
            {
                var size = name.EndsWith("size_bytes", StringComparison.Ordinal);
                series += Gauge(w, name, $"{{device=\"/dev/{mount.Length}\",fstype=\"ext4\",mountpoint=\"{mount}\"}}", points, _random.Next(1, 500_000) * 4096.0, size ? 0 : 0.0005, 4096);
            }
        }

        WriteType(w, "namedprocess_namegroup_cpu_seconds", "counter");
        foreach (var group in Groups)
        {
            foreach (var mode in new[] { "system", "user" })
            {
                series += Counter(w, "namedprocess_namegroup_cpu_seconds_total", $"{{groupname=\"{group}\",mode=\"{mode}\"}}", points, _random.NextDouble() * 0.3, 0.01);
            }
        }

        WriteType(w, "namedprocess_namegroup_memory_bytes", "gauge");
        foreach (var group in Groups)
        {
            series += Gauge(w, "namedprocess_namegroup_memory_bytes", $"{{groupname=\"{group}\",memtype=\"resident\"}}", points, _random.Next(1_000, 2_000_000) * 4096.0, 0.003, 4096);
        }

        if (_options.Format == "openmetrics")
        {
            w.Write("# EOF\n");
        }

        return (series, (long)series * points);
    }

    /// <summary>A counter that grows by a noisy amount per second, in multiples of <paramref name="unit"/>.</summary>
    private int Counter(TextWriter w, string name, string labels, int points, double perSecond, double unit)
    {
        var value = Math.Round(_random.Next(1_000, 1_000_000) * perSecond / unit) * unit;
        for (var i = 0; i < points; i++)
        {
            var step = perSecond * _options.Step * (0.2 + (_random.NextDouble() * 1.6));
            value += Math.Round(step / unit) * unit;
            WriteLine(w, name, labels, i, Math.Round(value / unit) * unit);
        }

        return 1;
    }

    /// <summary>A gauge that walks around its start by a relative <paramref name="noise"/> per step.</summary>
    private int Gauge(TextWriter w, string name, string labels, int points, double level, double noise, double unit)
    {
        var value = level;
        for (var i = 0; i < points; i++)
        {
            value = Math.Max(0, value * (1 + ((_random.NextDouble() - 0.5) * 2 * noise)));
            value = (0.999 * value) + (0.001 * level);
            WriteLine(w, name, labels, i, Math.Round(value / unit) * unit);
        }

        return 1;
    }

    private long Noisy(double ticks) => Math.Max(0, (long)Math.Round(ticks * (0.5 + _random.NextDouble())));

    private void WriteLine(TextWriter w, string name, string labels, int i, double value)
    {
        w.Write(name);
        w.Write(labels);
        w.Write(Sample(i, value));
    }

    private string Sample(int i, double value)
    {
        var jitter = _options.JitterMs > 0 ? _random.Next(-_options.JitterMs, _options.JitterMs + 1) : 0;
        var ms = (_options.Start * 1000) + ((long)i * (long)(_options.Step * 1000)) + jitter;
        var v = value.ToString("R", CultureInfo.InvariantCulture);
        return _options.Format == "openmetrics"
            ? $" {v} {(ms / 1000).ToString(CultureInfo.InvariantCulture)}.{(ms % 1000).ToString("000", CultureInfo.InvariantCulture)}\n"
            : $" {v} {ms.ToString(CultureInfo.InvariantCulture)}\n";
    }

    private void WriteType(TextWriter w, string name, string type)
    {
        // Prometheus text wants the sample name on # TYPE lines; OpenMetrics the family name (counter without _total).
        var typeName = _options.Format == "openmetrics" || type != "counter" ? name : name + "_total";
        w.Write($"# TYPE {typeName} {type}\n");
    }

    private sealed record Options(long Start, double Hours, double Step, int Cpus, int JitterMs, int Seed, string Format, string Out)
    {
        public static Options Parse(string[] args)
        {
            long? start = null;
            double hours = 24, step = 15;
            int cpus = 32, jitter = 0, seed = 1;
            var format = "openmetrics";
            string? output = null;
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
                i++;
                switch (args[i - 1])
                {
                    case "--start": start = long.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--hours": hours = double.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--step": step = double.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--cpus": cpus = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--jitter-ms": jitter = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--format": format = value is "openmetrics" or "prometheus" ? value : throw new ArgumentException("--format is openmetrics or prometheus"); break;
                    case "--out": output = value; break;
                    default: throw new ArgumentException($"unknown option {args[i - 1]} (--start --hours --step --cpus --jitter-ms --seed --format --out)");
                }
            }

            return new Options(
                start ?? throw new ArgumentException("--start EPOCH_SECONDS is required (the script passes a recent day boundary: VictoriaMetrics drops data outside its retention)"),
                hours,
                step,
                cpus,
                jitter,
                seed,
                format,
                output ?? throw new ArgumentException("--out FILE is required"));
        }
    }
}
