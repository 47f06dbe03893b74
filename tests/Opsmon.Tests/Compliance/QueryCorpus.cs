namespace Opsmon.Tests.Compliance;

/// <summary>
/// The queries both engines answer, built from templates over selectors, functions, aggregations and operators
/// (the shape of the PromQL compliance tester's corpus, written for <see cref="ComplianceData"/>'s series).
/// </summary>
public static class QueryCorpus
{
    private static readonly string[] Selectors =
    [
        "http_requests_total",
        "http_requests_total{job=\"api\"}",
        "http_requests_total{job!=\"api\"}",
        "http_requests_total{instance=~\"a|b\"}",
        "http_requests_total{instance!~\"c\",code=\"200\"}",
        "{__name__=~\"cpu_seconds_total|memory_used_bytes\"}",
        "{__name__=\"node_temperature_celsius\",sensor=~\"g.*\"}",
        "http_requests_total{code=~\"5..\"}",
        "http_requests_total{job=~\"\"}",
        "http_requests_total{nolabel=\"\"}",
        "http_requests_total{job=\"nope\"}",
        "nonexistent_metric",
        "batch_jobs_running",
        "memory_used_bytes offset 10m",
        "memory_used_bytes offset -7m",
        "node_temperature_celsius @ 1767229200",
        "node_temperature_celsius @ start()",
        "batch_jobs_running @ end()",
        "batch_jobs_running offset 1h",
    ];

    private static readonly string[] CounterFunctions = ["rate", "irate", "increase", "resets", "changes"];

    private static readonly string[] GaugeFunctions =
    [
        "delta", "idelta", "deriv", "changes", "resets", "avg_over_time", "min_over_time", "max_over_time",
        "sum_over_time", "count_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
    ];

    private static readonly string[] Ranges = ["1m", "5m", "15m", "1h"];

    private static readonly string[] SimpleAggregations = ["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"];

    private static readonly string[] Groupings = ["", " by (job)", " by (instance)", " without (code)", " by (job, instance)", " without (instance, job, code)"];

    private static readonly string[] MathFunctions = ["abs", "ceil", "floor", "round", "exp", "ln", "log2", "log10", "sqrt", "sgn"];

    private static readonly string[] TimeFunctions = ["hour", "minute", "day_of_week", "day_of_month", "days_in_month", "month", "year"];

    /// <summary>Queries run as range queries (and, at a few times, as instant queries).</summary>
    public static IReadOnlyList<string> RangeQueries()
    {
        var q = new List<string>(Selectors);

        foreach (var f in CounterFunctions)
        {
            foreach (var r in Ranges)
            {
                q.Add($"{f}(http_requests_total[{r}])");
            }

            q.Add($"{f}(cpu_seconds_total{{mode!=\"idle\"}}[5m] offset 3m)");
        }

        foreach (var f in GaugeFunctions)
        {
            q.Add($"{f}(node_temperature_celsius[5m])");
            q.Add($"{f}(memory_used_bytes[15m])");
            q.Add($"{f}(batch_jobs_running[10m])");
        }

        foreach (var phi in new[] { "0", "0.25", "0.5", "0.9", "1", "-0.5", "1.5" })
        {
            q.Add($"quantile_over_time({phi}, node_temperature_celsius[10m])");
        }

        q.Add("predict_linear(memory_used_bytes[15m], 600)");
        q.Add("predict_linear(memory_used_bytes[1h], 3600)");
        q.Add("predict_linear(node_temperature_celsius[5m], -60)");
        q.Add("deriv(memory_used_bytes[1m])");
        q.Add("rate(http_requests_total[5m] @ 1767229200)");
        q.Add("increase(http_requests_total{job=\"api\"}[10m] offset 30m)");
        q.Add("absent_over_time(batch_jobs_running[5m])");
        q.Add("absent_over_time(batch_jobs_running{instance=\"a\"}[10m])");
        q.Add("absent_over_time(nonexistent_metric{job=\"x\"}[5m])");
        q.Add("rate(request_duration_seconds_count[5m])");

        foreach (var agg in SimpleAggregations)
        {
            foreach (var g in Groupings)
            {
                q.Add($"{agg}{g} (rate(http_requests_total[5m]))");
            }

            q.Add($"{agg} by (sensor) (node_temperature_celsius)");
            q.Add($"{agg} without (instance) (node_temperature_celsius)");
        }

        foreach (var k in new[] { "1", "2", "4" })
        {
            q.Add($"topk({k}, rate(http_requests_total[5m]))");
            q.Add($"bottomk({k}, node_temperature_celsius)");
            q.Add($"topk by (job) ({k}, rate(http_requests_total[5m]))");
            q.Add($"bottomk without (code) ({k}, http_requests_total)");
        }

        q.Add("topk(scalar(count(batch_jobs_running)), node_temperature_celsius)");
        foreach (var phi in new[] { "0", "0.1", "0.5", "0.95", "1", "-1", "2" })
        {
            q.Add($"quantile({phi}, node_temperature_celsius)");
        }

        q.Add("quantile by (job) (0.75, rate(http_requests_total[5m]))");
        q.Add("count_values(\"value\", round(node_temperature_celsius))");
        q.Add("count_values by (sensor) (\"temp\", floor(node_temperature_celsius / 10))");
        q.Add("count_values(\"jobs\", batch_jobs_running > 0)");
        q.Add("sum(count_values(\"v\", ceil(node_temperature_celsius)))");

        foreach (var op in new[] { "+", "-", "*", "/", "%", "^" })
        {
            q.Add($"node_temperature_celsius {op} 3");
            q.Add($"2 {op} node_temperature_celsius");
            q.Add($"node_temperature_celsius{{sensor=\"cpu\"}} {op} ignoring(sensor) node_temperature_celsius{{sensor=\"gpu\"}}");
        }

        q.Add("-node_temperature_celsius");
        q.Add("memory_used_bytes / 1024 ^ 2");
        q.Add("2 ^ 3 ^ 2");
        q.Add("(1 + 2) * 3 - 4 / 2");
        q.Add("node_temperature_celsius / 0");
        q.Add("-node_temperature_celsius / 0");
        q.Add("(node_temperature_celsius - node_temperature_celsius) / 0");
        q.Add("http_requests_total % 0");
        q.Add("sum by (job, instance) (rate(http_requests_total{code=\"500\"}[5m])) / sum by (job, instance) (rate(http_requests_total[5m]))");
        q.Add("rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])");
        q.Add("rate(http_requests_total{code=\"500\"}[5m]) / on(job, instance) rate(http_requests_total{code=\"200\"}[5m])");

        foreach (var op in new[] { "==", "!=", ">", "<", ">=", "<=" })
        {
            q.Add($"node_temperature_celsius {op} 50");
            q.Add($"node_temperature_celsius {op} bool 50");
            q.Add($"50 {op} bool node_temperature_celsius");
            q.Add($"node_temperature_celsius{{sensor=\"cpu\"}} {op} ignoring(sensor) node_temperature_celsius{{sensor=\"gpu\"}}");
            q.Add($"node_temperature_celsius{{sensor=\"cpu\"}} {op} bool ignoring(sensor) node_temperature_celsius{{sensor=\"gpu\"}}");
            q.Add($"scalar(batch_jobs_running{{instance=\"b\"}}) {op} bool 3");
        }

        q.Add("http_requests_total and on(instance) (node_temperature_celsius{sensor=\"cpu\"} > 50)");
        q.Add("http_requests_total and http_requests_total{code=\"500\"}");
        q.Add("node_temperature_celsius > 55 or node_temperature_celsius < 45");
        q.Add("batch_jobs_running or on(instance) memory_used_bytes");
        q.Add("memory_used_bytes unless on(instance) batch_jobs_running");
        q.Add("http_requests_total unless ignoring(code) http_requests_total{code=\"500\"}");
        q.Add("nonexistent_metric or vector(1)");
        q.Add("(node_temperature_celsius > 50) and (node_temperature_celsius < 60) or (node_temperature_celsius > 65)");

        q.Add("node_temperature_celsius * on(instance) group_left memory_used_bytes");
        q.Add("memory_used_bytes * on(instance) group_right node_temperature_celsius");
        q.Add("node_temperature_celsius / on(instance) group_left(job) sum by (instance, job) (http_requests_total{code=\"200\"})");
        q.Add("sum by (job, instance) (rate(http_requests_total[5m])) / on(instance) group_left sum by (instance) (rate(http_requests_total[5m]))");
        q.Add("sum by (instance) (rate(cpu_seconds_total[5m])) * on(instance) group_right memory_used_bytes");
        q.Add("http_requests_total + on(instance) node_temperature_celsius");
        q.Add("http_requests_total + on(instance) group_left node_temperature_celsius");
        q.Add("node_temperature_celsius + node_temperature_celsius");
        q.Add("http_requests_total > on(job, instance, code) group_left 100");

        foreach (var f in MathFunctions)
        {
            q.Add($"{f}(node_temperature_celsius - 50)");
        }

        q.Add("exp(node_temperature_celsius)");
        q.Add("round(node_temperature_celsius, 5)");
        q.Add("round(node_temperature_celsius, 0.1)");
        q.Add("clamp(node_temperature_celsius, 45, 55)");
        q.Add("clamp(node_temperature_celsius, 55, 45)");
        q.Add("clamp_min(node_temperature_celsius, 50)");
        q.Add("clamp_max(node_temperature_celsius, 50)");

        q.Add("label_replace(http_requests_total, \"host\", \"$1-host\", \"instance\", \"(.*)\")");
        q.Add("label_replace(http_requests_total, \"instance\", \"\", \"instance\", \"a\")");
        q.Add("label_replace(http_requests_total, \"x\", \"$2\", \"job\", \"(a)(p)i\")");
        q.Add("label_replace(http_requests_total, \"job\", \"none\", \"nolabel\", \"\")");
        q.Add("label_replace(node_temperature_celsius, \"sensor\", \"x\", \"sensor\", \".*\")");
        q.Add("label_join(http_requests_total, \"id\", \"/\", \"job\", \"instance\", \"code\")");
        q.Add("label_join(memory_used_bytes, \"instance\", \"-\", \"instance\", \"instance\")");
        q.Add("label_join(memory_used_bytes, \"new\", \",\")");
        q.Add("sort(node_temperature_celsius)");
        q.Add("sort_desc(rate(http_requests_total[5m]))");

        foreach (var phi in new[] { "0", "0.5", "0.9", "0.99", "1", "-0.1", "1.1" })
        {
            q.Add($"histogram_quantile({phi}, rate(request_duration_seconds_bucket[5m]))");
        }

        q.Add("histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[10m])))");
        q.Add("histogram_quantile(0.5, sum without (job) (rate(request_duration_seconds_bucket[1m])))");
        q.Add("histogram_quantile(0.9, request_duration_seconds_bucket)");
        q.Add("histogram_quantile(0.9, rate(request_duration_seconds_bucket{le!=\"+Inf\"}[5m]))");
        q.Add("histogram_quantile(0.9, rate(request_duration_seconds_bucket{le!=\"0.5\"}[5m]))");
        q.Add("rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])");

        q.Add("absent(nonexistent_metric{job=\"x\", instance=~\"a\"})");
        q.Add("absent(memory_used_bytes)");
        q.Add("absent(batch_jobs_running{instance=\"a\"})");
        q.Add("absent(sum(nonexistent_metric))");

        foreach (var f in TimeFunctions)
        {
            q.Add($"{f}()");
            q.Add($"{f}(timestamp(batch_jobs_running))");
            q.Add($"{f}(vector(1767225600 + 86400 * 45.5))");
        }

        q.Add("time()");
        q.Add("timestamp(memory_used_bytes)");
        q.Add("timestamp(memory_used_bytes offset 1m)");
        q.Add("time() - timestamp(batch_jobs_running)");
        q.Add("vector(time())");
        q.Add("scalar(sum(memory_used_bytes))");
        q.Add("scalar(memory_used_bytes)");
        q.Add("scalar(batch_jobs_running)");
        q.Add("vector(scalar(batch_jobs_running{instance=\"a\"}))");
        q.Add("memory_used_bytes / scalar(count(memory_used_bytes))");
        q.Add("42");
        q.Add("-1.5e3");
        q.Add("1 > bool 2");
        q.Add("Inf");
        q.Add("-Inf + 1");

        q.Add("max_over_time(rate(http_requests_total[5m])[30m:1m])");
        q.Add("avg_over_time(node_temperature_celsius[10m:])");
        q.Add("deriv(sum(memory_used_bytes)[15m:30s])");
        q.Add("min_over_time(rate(http_requests_total[5m])[10m:1m] offset 5m)");
        q.Add("max_over_time(batch_jobs_running[20m:2m])");
        q.Add("rate(sum by (job) (http_requests_total)[10m:1m])");
        q.Add("count_over_time(node_temperature_celsius[1h:7m])");
        q.Add("sum_over_time(max_over_time(memory_used_bytes[5m:1m])[10m:5m])");
        q.Add("last_over_time(node_temperature_celsius[5m:1m] @ 1767228000)");
        q.Add("quantile_over_time(0.5, rate(cpu_seconds_total[5m])[15m:1m])");
        q.Add("max_over_time(deriv(rate(http_requests_total[5m])[10m:1m])[20m:5m])");
        q.Add("sum_over_time(batch_jobs_running[15m:45s] offset 10m)");

        q.Add("label_replace(rate(http_requests_total[5m]), \"__name__\", \"renamed\", \"job\", \"api\")");
        q.Add("count_values without (instance) (\"v\", batch_jobs_running)");
        q.Add("sum by (__name__) ({__name__=~\"http_requests_total|cpu_seconds_total\"})");
        q.Add("max by (job) (http_requests_total) - min by (job) (http_requests_total)");
        q.Add("-(memory_used_bytes offset 5m) + memory_used_bytes");
        q.Add("sum(rate(cpu_seconds_total{mode!=\"idle\"}[5m])) / sum(rate(cpu_seconds_total[5m]))");
        q.Add("avg by (instance) (irate(cpu_seconds_total[1m])) > bool 0.1");
        q.Add("rate(batch_jobs_running[5m])");
        q.Add("increase(batch_jobs_running[1h])");
        q.Add("changes(memory_used_bytes[1h]) - resets(memory_used_bytes[1h])");
        q.Add("stddev(memory_used_bytes) / avg(memory_used_bytes)");
        q.Add("group by (instance) ({instance!=\"\"})");
        q.Add("count(count by (instance) (http_requests_total))");
        q.Add("absent(nonexistent_metric{job=\"x\"} offset 5m)");
        q.Add("timestamp(rate(http_requests_total[5m]))");
        q.Add("node_temperature_celsius > bool on(instance, sensor) (node_temperature_celsius offset 10m)");
        q.Add("sgn(deriv(node_temperature_celsius[10m])) * on(instance) group_left topk by (instance) (1, memory_used_bytes)");

        return q;
    }

    /// <summary>Queries only meaningful at one time: range vectors as results and order-sensitive ones.</summary>
    public static IReadOnlyList<string> InstantOnlyQueries() =>
    [
        "http_requests_total[5m]",
        "memory_used_bytes[1m] offset 3m",
        "batch_jobs_running[2m] @ 1767229200",
        "node_temperature_celsius[5m:1m]",
        "rate(http_requests_total[5m])[3m:30s]",
        "\"a string\"",
        "sort_desc(node_temperature_celsius)",
        "sort(sum by (instance) (rate(http_requests_total[5m])))",
        "topk(3, http_requests_total)",
        "rate(memory_used_bytes)",
        "sum(memory_used_bytes[5m])",
        "node_temperature_celsius{",
        "label_replace(memory_used_bytes, \"1bad\", \"x\", \"instance\", \".*\")",
    ];
}
