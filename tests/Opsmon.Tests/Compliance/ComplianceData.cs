using System.Globalization;
using System.Text;

namespace Opsmon.Tests.Compliance;

/// <summary>
/// Deterministic OpenMetrics text with timestamps, the input both stores import: counters with resets,
/// gauges, a classic histogram, several label values, gaps, a series that stops and one that starts late.
/// Values have few decimals so both parsers read the same doubles; timestamps are whole seconds.
/// </summary>
public static class ComplianceData
{
    /// <summary>2026-01-01T00:00:00Z: fixed, so failures reproduce (time functions included).</summary>
    public const long StartSeconds = 1_767_225_600;

    public const int IntervalSeconds = 15;

    public static readonly TimeSpan Span = TimeSpan.FromHours(2);

    private static readonly string[] Instances = ["a", "b", "c"];
    private static readonly string[] Jobs = ["api", "web"];
    private static readonly string[] Buckets = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];

    public static long EndSeconds => StartSeconds + (long)Span.TotalSeconds;

    public static string Generate(int seed = 42)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();

        sb.Append("# TYPE http_requests counter\n");
        foreach (var job in Jobs)
        {
            foreach (var instance in Instances)
            {
                foreach (var code in new[] { "200", "500" })
                {
                    var labels = $"{{job=\"{job}\",instance=\"{instance}\",code=\"{code}\"}}";
                    Counter(sb, random, "http_requests_total" + labels, code == "200" ? 20 : 2, StartSeconds, EndSeconds);
                }
            }
        }

        sb.Append("# TYPE cpu_seconds counter\n");
        foreach (var instance in Instances)
        {
            foreach (var mode in new[] { "user", "system", "idle" })
            {
                Counter(sb, random, $"cpu_seconds_total{{instance=\"{instance}\",mode=\"{mode}\"}}", mode == "idle" ? 12 : 3, StartSeconds, EndSeconds);
            }
        }

        sb.Append("# TYPE node_temperature_celsius gauge\n");
        foreach (var instance in Instances)
        {
            foreach (var sensor in new[] { "cpu", "gpu" })
            {
                Gauge(sb, random, $"node_temperature_celsius{{instance=\"{instance}\",sensor=\"{sensor}\"}}", 40 + random.Next(30), 1.5, StartSeconds, EndSeconds);
            }
        }

        sb.Append("# TYPE memory_used_bytes gauge\n");
        foreach (var instance in Instances)
        {
            // A steady climb with noise: what deriv and predict_linear are for.
            var value = 1e9 + random.Next(1000) * 1e6;
            for (var t = StartSeconds; t <= EndSeconds; t += IntervalSeconds)
            {
                value += 2e5 + random.Next(-100, 101) * 1e4;
                Line(sb, $"memory_used_bytes{{instance=\"{instance}\"}}", value, t);
            }
        }

        sb.Append("# TYPE batch_jobs_running gauge\n");
        // Stops after 80 minutes: lookback keeps it for 5 more minutes, then it is gone.
        Gauge(sb, random, "batch_jobs_running{instance=\"a\"}", 5, 1, StartSeconds, StartSeconds + (80 * 60));
        // Starts 30 minutes in: absent before, and *_over_time windows see only part of it.
        Gauge(sb, random, "batch_jobs_running{instance=\"b\"}", 3, 1, StartSeconds + (30 * 60), EndSeconds);

        sb.Append("# TYPE request_duration_seconds histogram\n");
        foreach (var job in Jobs)
        {
            Histogram(sb, random, job);
        }

        sb.Append("# EOF\n");
        return sb.ToString();
    }

    private static void Counter(StringBuilder sb, Random random, string series, int meanIncrease, long from, long to)
    {
        double value = random.Next(1000);
        for (var t = from; t <= to; t += IntervalSeconds)
        {
            // Occasional missed scrapes make gaps that rate's extrapolation and irate must handle.
            if (random.Next(40) == 0)
            {
                continue;
            }

            value = random.Next(150) == 0 ? random.Next(5) : value + random.Next(meanIncrease * 2 + 1);
            Line(sb, series, value, t);
        }
    }

    private static void Gauge(StringBuilder sb, Random random, string series, double start, double step, long from, long to)
    {
        var value = start;
        for (var t = from; t <= to; t += IntervalSeconds)
        {
            value = Math.Round(value + ((random.NextDouble() - 0.5) * 2 * step), 2);
            Line(sb, series, value, t);
        }
    }

    private static void Histogram(StringBuilder sb, Random random, string job)
    {
        var steps = (int)((EndSeconds - StartSeconds) / IntervalSeconds) + 1;
        var counts = new double[steps, Buckets.Length];
        var sums = new double[steps];
        var running = new double[Buckets.Length];
        var sum = 0.0;
        for (var i = 0; i < steps; i++)
        {
            var observations = random.Next(30);
            for (var o = 0; o < observations; o++)
            {
                // Roughly log-uniform latencies between 10 ms and 4 s.
                var latency = Math.Round(Math.Pow(10, -2 + (random.NextDouble() * 2.6)), 3);
                sum = Math.Round(sum + latency, 3);
                for (var b = 0; b < Buckets.Length; b++)
                {
                    if (b == Buckets.Length - 1 || latency <= double.Parse(Buckets[b], CultureInfo.InvariantCulture))
                    {
                        running[b]++;
                    }
                }
            }

            for (var b = 0; b < Buckets.Length; b++)
            {
                counts[i, b] = running[b];
            }

            sums[i] = sum;
        }

        for (var b = 0; b < Buckets.Length; b++)
        {
            for (var i = 0; i < steps; i++)
            {
                Line(sb, $"request_duration_seconds_bucket{{job=\"{job}\",le=\"{Buckets[b]}\"}}", counts[i, b], StartSeconds + (i * IntervalSeconds));
            }
        }

        for (var i = 0; i < steps; i++)
        {
            Line(sb, $"request_duration_seconds_sum{{job=\"{job}\"}}", sums[i], StartSeconds + (i * IntervalSeconds));
        }

        for (var i = 0; i < steps; i++)
        {
            Line(sb, $"request_duration_seconds_count{{job=\"{job}\"}}", counts[i, Buckets.Length - 1], StartSeconds + (i * IntervalSeconds));
        }
    }

    private static void Line(StringBuilder sb, string series, double value, long t) =>
        sb.Append(series).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(t.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
