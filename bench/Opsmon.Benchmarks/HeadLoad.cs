using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Opsmon.Core.Series;
using static Opsmon.Benchmarks.HostDataGenerator;

namespace Opsmon.Benchmarks;

/// <summary>
/// The load for bench/head-memory.sh: N active host-like series (node_exporter and process-exporter shapes, one
/// label set per host with <c>instance</c> and <c>job</c>), one sample each every step, sent as Prometheus remote
/// write 1.0 to one or more receivers. Every request goes to every receiver in turn with the very same bytes, so
/// all of them hold the same data. Samples go out window by window (all series for a few steps, then the next
/// steps), so every receiver sees timestamps advance as they would from a real sender.
/// Run: dotnet …/Opsmon.Benchmarks.dll headload --url URL [--url URL…] --series N --start-ms T [--samples 480]
///      [--step 15] [--window 4] [--batch 500] [--seed 1]
/// (a request carries --batch series × --window steps: 2,000 samples by default)
/// `headmem --series N [--samples 480]` builds the same series into an in-process head and prints the managed
/// bytes per series, for profiling without HTTP; `headstore --series N --data DIR` sends it through a whole store
/// (WAL included) and prints the GC's view of the process.
/// </summary>
internal static class HeadLoad
{
    // The host vocabulary (CPU modes, meminfo fields, disks, interfaces, mounts) is the storage generator's; the
    // process groups are a shorter list, so a host here is 374 series.
    private static readonly string[] Groups =
    [
        "bash", "chrome", "code", "containerd", "cron", "dbus-daemon", "dockerd", "dotnet", "firefox", "gnome-shell",
        "java", "journald", "kworker", "nginx", "node", "postgres", "python3", "redis-server", "rsyslogd", "sshd",
    ];

    public static int Run(string[] args)
    {
        var options = Parse(args);
        var urls = options.GetValueOrDefault("url", []);
        if (urls.Count == 0)
        {
            Console.Error.WriteLine("headload: give at least one --url");
            return 2;
        }

        var seriesCount = Int(options, "series", 10_000);
        var samples = Int(options, "samples", 480);
        var stepMs = Int(options, "step", 15) * 1000L;
        var window = Int(options, "window", 4);
        var batch = Int(options, "batch", 500);
        var startMs = long.Parse(options["start-ms"][0], CultureInfo.InvariantCulture);
        var series = Build(seriesCount, Int(options, "seed", 1));

        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var watch = Stopwatch.StartNew();
        var perUrl = new TimeSpan[urls.Count];
        long sent = 0;
        for (var first = 0; first < samples; first += window)
        {
            var steps = Math.Min(window, samples - first);
            for (var from = 0; from < series.Length; from += batch)
            {
                var body = Snappy(Encode(series.AsSpan(from, Math.Min(batch, series.Length - from)), startMs + (first * stepMs), stepMs, steps));
                for (var u = 0; u < urls.Count; u++)
                {
                    var posted = Stopwatch.StartNew();
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                    content.Headers.ContentEncoding.Add("snappy");
                    using var request = new HttpRequestMessage(HttpMethod.Post, urls[u]) { Content = content };
                    request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                    using var response = client.Send(request);
                    if (!response.IsSuccessStatusCode)
                    {
                        using var reader = new StreamReader(response.Content.ReadAsStream());
                        Console.Error.WriteLine($"headload: {urls[u]} answered {(int)response.StatusCode}: {reader.ReadToEnd().Trim()}");
                        return 1;
                    }

                    perUrl[u] += posted.Elapsed;
                }

                sent += (long)Math.Min(batch, series.Length - from) * steps;
            }
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"headload: {series.Length} series, {sent} samples each to {urls.Count} receivers in {watch.Elapsed.TotalSeconds:F1} s ({string.Join(", ", urls.Select((u, i) => $"{u}: {perUrl[i].TotalSeconds:F1} s"))})"));
        return 0;
    }

    /// <summary>Managed memory of an in-process head holding the same series; labels are fresh strings per series, as a decoder makes them.</summary>
    public static int RunInProcess(string[] args)
    {
        var options = Parse(args);
        var seriesCount = Int(options, "series", 10_000);
        var samples = Int(options, "samples", 480);
        const long stepMs = 15_000;
        var series = Build(seriesCount, Int(options, "seed", 1));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var labels = series.Select(s => Labels.From(s.Labels.AsSpan().ToArray().Select(l => new Label(new string(l.Name.AsSpan()), new string(l.Value.AsSpan()))))).ToArray();
        var head = new Storage.Head.Head(2 * 3600 * 1000);
        var refs = new Storage.Head.MemSeries[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            refs[i] = head.GetOrCreate(labels[i], out _);
        }

        labels = [];
        var afterSeries = GC.GetTotalMemory(forceFullCollection: true);
        for (var t = 0; t < samples; t++)
        {
            for (var i = 0; i < series.Length; i++)
            {
                head.Append(refs[i], 1_700_000_000_000 + (t * stepMs), series[i].Next());
            }
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(head);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"headmem: {seriesCount} series x {samples} samples: {(double)(afterSeries - before) / seriesCount:F0} B/series for series+labels+postings, {(double)(after - afterSeries) / seriesCount:F0} B/series for chunks, {(double)(after - before) / seriesCount:F0} B/series total, {(double)(after - afterSeries) / ((long)seriesCount * samples):F3} B/sample"));
        return 0;
    }

    /// <summary>
    /// `headstore --series N --data DIR`: the same load through a whole store (WAL included) in batches shaped like
    /// headload's requests, with fresh label strings per batch as a decoder makes them; prints the GC's view of the
    /// process before and after a full collection, to tell live data from garbage not yet collected.
    /// </summary>
    public static int RunStore(string[] args)
    {
        var options = Parse(args);
        var seriesCount = Int(options, "series", 10_000);
        var samples = Int(options, "samples", 480);
        var window = Int(options, "window", 4);
        var batch = Int(options, "batch", 500);
        const long stepMs = 15_000;
        var series = Build(seriesCount, Int(options, "seed", 1));
        using var store = Storage.Tsdb.Open(new Storage.TsdbOptions(options["data"][0]));
        Report("empty");
        for (var first = 0; first < samples; first += window)
        {
            for (var from = 0; from < series.Length; from += batch)
            {
                var appender = store.Appender();
                foreach (var s in series.AsSpan(from, Math.Min(batch, series.Length - from)))
                {
                    var labels = Labels.From(s.Labels.AsSpan().ToArray().Select(l => new Label(new string(l.Name.AsSpan()), new string(l.Value.AsSpan()))));
                    for (var i = first; i < Math.Min(samples, first + window); i++)
                    {
                        appender.Append(labels, 1_700_000_000_000 + (i * stepMs), s.Next());
                    }
                }

                appender.Commit();
            }
        }

        Report("loaded");
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Report("after full GC");
        return 0;

        void Report(string when)
        {
            var info = GC.GetGCMemoryInfo();
            using var process = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"headstore {when}: working set {process.WorkingSet64 / 1048576.0:F1} MiB, GC heap {info.HeapSizeBytes / 1048576.0:F1} MiB (fragmented {info.FragmentedBytes / 1048576.0:F1}), committed {info.TotalCommittedBytes / 1048576.0:F1} MiB, total memory {GC.GetTotalMemory(false) / 1048576.0:F1} MiB, gen2 GCs {GC.CollectionCount(2)}"));
        }
    }

    private static SeriesState[] Build(int count, int seed)
    {
        var random = new Random(seed);
        var result = new List<SeriesState>(count);
        for (var host = 0; result.Count < count; host++)
        {
            var instance = $"host-{host.ToString("D4", CultureInfo.InvariantCulture)}:9100";
            void Add(string name, double value, double rate, double resolution, bool counter, params (string, string)[] extra)
            {
                if (result.Count < count)
                {
                    var pairs = extra.Append((Labels.MetricName, name)).Append(("instance", instance)).Append(("job", "node")).ToArray();
                    result.Add(new SeriesState(Labels.From(pairs), random, value, rate, resolution, counter));
                }
            }

            for (var cpu = 0; cpu < 16; cpu++)
            {
                foreach (var mode in CpuModes)
                {
                    var rate = mode == "idle" ? 12 : mode is "steal" or "irq" ? 0.01 : 1;
                    Add("node_cpu_seconds_total", random.Next(1_000, 1_000_000) / 100.0, rate, 0.01, true, ("cpu", cpu.ToString(CultureInfo.InvariantCulture)), ("mode", mode));
                }
            }

            foreach (var field in MemoryFields)
            {
                Add($"node_memory_{field}_bytes", random.Next(1, 16_000_000) * 1024.0, 0.002, 1024, false);
            }

            foreach (var name in DiskCounters)
            {
                foreach (var disk in Disks)
                {
                    var seconds = name.Contains("seconds", StringComparison.Ordinal);
                    Add(name, random.Next(0, 1_000_000), seconds ? 0.5 : 2_000, seconds ? 0.001 : name.Contains("bytes", StringComparison.Ordinal) ? 512 : 1, true, ("device", disk));
                }
            }

            foreach (var name in NetCounters)
            {
                foreach (var iface in Interfaces)
                {
                    var bytes = name.Contains("bytes", StringComparison.Ordinal);
                    var errors = name.Contains("errs", StringComparison.Ordinal) || name.Contains("drop", StringComparison.Ordinal);
                    Add(name, random.Next(0, 1_000_000), errors ? 0.02 : bytes ? 500_000 : 400, 1, true, ("device", iface));
                }
            }

            foreach (var (name, level) in new[] { ("node_load1", 1.5), ("node_load5", 1.4), ("node_load15", 1.3), ("node_procs_running", 2.0), ("node_procs_blocked", 0.2) })
            {
                Add(name, level, 0.1, name.StartsWith("node_load", StringComparison.Ordinal) ? 0.01 : 1, false);
            }

            foreach (var (name, rate) in new[] { ("node_context_switches_total", 20_000.0), ("node_intr_total", 15_000.0), ("node_forks_total", 30.0) })
            {
                Add(name, random.Next(0, 100_000_000), rate, 1, true);
            }

            foreach (var name in new[] { "node_filesystem_avail_bytes", "node_filesystem_free_bytes", "node_filesystem_size_bytes", "node_filesystem_files_free" })
            {
                foreach (var mount in Mounts)
                {
                    Add(name, random.Next(1, 500_000) * 4096.0, name.EndsWith("size_bytes", StringComparison.Ordinal) ? 0 : 0.0005, 4096, false,
                        ("device", $"/dev/sd{(char)('a' + mount.Length)}"), ("fstype", "ext4"), ("mountpoint", mount));
                }
            }

            foreach (var group in Groups)
            {
                foreach (var mode in new[] { "system", "user" })
                {
                    Add("namedprocess_namegroup_cpu_seconds_total", random.Next(0, 100_000) / 100.0, random.NextDouble() * 0.3 * 15, 0.01, true, ("groupname", group), ("mode", mode));
                }

                Add("namedprocess_namegroup_memory_bytes", random.Next(1_000, 2_000_000) * 4096.0, 0.003, 4096, false, ("groupname", group), ("memtype", "resident"));
            }
        }

        return [.. result];
    }

    /// <summary>A WriteRequest with <paramref name="steps"/> samples for each of <paramref name="series"/> from <paramref name="fromMs"/>.</summary>
    private static byte[] Encode(ReadOnlySpan<SeriesState> series, long fromMs, long stepMs, int steps)
    {
        using var output = new MemoryStream();
        var one = new MemoryStream();
        var label = new MemoryStream();
        var value = new byte[8];
        foreach (var s in series)
        {
            one.SetLength(0);
            foreach (var l in s.Labels.AsSpan())
            {
                label.SetLength(0);
                WriteString(label, 1, l.Name);
                WriteString(label, 2, l.Value);
                WriteBytes(one, 1, label);
            }

            for (var i = 0; i < steps; i++)
            {
                var timestamp = fromMs + (i * stepMs);
                // Sample{double value = 1; int64 timestamp = 2}: 1 + 8 + 1 + varint bytes.
                WriteTag(one, 2, 2);
                WriteVarint(one, (ulong)(10 + VarintSize((ulong)timestamp)));
                WriteTag(one, 1, 1);
                BinaryPrimitives.WriteDoubleLittleEndian(value, s.Next());
                one.Write(value);
                WriteTag(one, 2, 0);
                WriteVarint(one, (ulong)timestamp);
            }

            WriteBytes(output, 1, one);
        }

        return output.ToArray();
    }

    /// <summary>Snappy block format with literals only: valid for any decoder, and the receivers are on loopback.</summary>
    private static byte[] Snappy(byte[] raw)
    {
        using var output = new MemoryStream(raw.Length + (raw.Length / 65536 * 3) + 16);
        WriteVarint(output, (ulong)raw.Length);
        for (var offset = 0; offset < raw.Length; offset += 65536)
        {
            var length = Math.Min(65536, raw.Length - offset);
            // Tag 61 << 2: a literal whose length - 1 follows in two little-endian bytes.
            output.WriteByte(61 << 2);
            output.WriteByte((byte)((length - 1) & 0xff));
            output.WriteByte((byte)((length - 1) >> 8));
            output.Write(raw, offset, length);
        }

        return output.ToArray();
    }

    private static void WriteString(MemoryStream stream, int field, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteTag(stream, field, 2);
        WriteVarint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteBytes(MemoryStream stream, int field, MemoryStream inner)
    {
        WriteTag(stream, field, 2);
        WriteVarint(stream, (ulong)inner.Length);
        stream.Write(inner.GetBuffer(), 0, (int)inner.Length);
    }

    private static void WriteTag(Stream stream, int field, int wire) => WriteVarint(stream, (ulong)((field << 3) | wire));

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static Dictionary<string, List<string>> Parse(string[] args)
    {
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument {args[i]}");
            }

            var key = args[i][2..];
            if (!options.TryGetValue(key, out var values))
            {
                values = [];
                options[key] = values;
            }

            values.Add(args[i + 1]);
        }

        return options;
    }

    private static int Int(Dictionary<string, List<string>> options, string key, int fallback) =>
        options.TryGetValue(key, out var values) ? int.Parse(values[^1], CultureInfo.InvariantCulture) : fallback;

    /// <summary>One series and the walk of its value: counters grow by a noisy rate, gauges wander around their level.</summary>
    private sealed class SeriesState(Labels labels, Random random, double value, double rate, double resolution, bool counter)
    {
        private double _units = Math.Round(value / resolution);

        public Labels Labels { get; set; } = labels;

        public double Next()
        {
            if (counter)
            {
                _units += Math.Round(rate / resolution * random.NextDouble() * 2);
            }
            else if (random.NextDouble() < 0.3)
            {
                _units = Math.Max(0, _units + Math.Round(_units * rate * (random.NextDouble() - 0.5) * 2));
            }

            // As node_exporter: ticks / 100, not ticks * 0.01.
            return resolution < 1 ? _units / Math.Round(1 / resolution) : _units * resolution;
        }
    }
}
