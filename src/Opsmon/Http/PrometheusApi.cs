using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Opsmon.Core.Metrics;
using Opsmon.Core.Series;
using Opsmon.Query;

namespace Opsmon.Http;

/// <summary>The families of the latest scrape, for /api/v1/metadata.</summary>
public sealed class MetadataCache
{
    private volatile IReadOnlyList<MetricFamily> _families = [];

    public IReadOnlyList<MetricFamily> Families => _families;

    public void Update(IReadOnlyList<MetricFamily> families) => _families = families;
}

/// <summary>
/// The Prometheus HTTP API over Opsmon's store, so Grafana's Prometheus data source and other API clients work:
/// query, query_range, series, labels, label values, metadata, buildinfo, runtimeinfo, query_exemplars.
/// </summary>
public static class PrometheusApi
{
    public static IEndpointRouteBuilder MapPrometheusApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/api/v1/query", ["GET", "POST"], QueryAsync);
        routes.MapMethods("/api/v1/query_range", ["GET", "POST"], QueryRangeAsync);
        routes.MapMethods("/api/v1/series", ["GET", "POST"], SeriesAsync);
        routes.MapMethods("/api/v1/labels", ["GET", "POST"], LabelsAsync);
        routes.MapGet("/api/v1/label/{name}/values", LabelValuesAsync);
        routes.MapGet("/api/v1/metadata", MetadataAsync);
        routes.MapMethods("/api/v1/query_exemplars", ["GET", "POST"], (HttpContext c) => ApiJson.SuccessAsync(c, w => w.WriteRawValue("[]")));
        routes.MapGet("/api/v1/status/buildinfo", BuildInfoAsync);
        routes.MapGet("/api/v1/status/runtimeinfo", RuntimeInfoAsync);
        return routes;
    }

    private static async Task<Dictionary<string, StringValues>> ParamsAsync(HttpContext context)
    {
        var result = context.Request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            foreach (var (key, value) in form)
            {
                result[key] = result.TryGetValue(key, out var existing) ? StringValues.Concat(existing, value) : value;
            }
        }

        return result;
    }

    private static string? One(Dictionary<string, StringValues> p, string name) =>
        p.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    private static long Now(HttpContext c) => c.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task QueryAsync(HttpContext context)
    {
        var p = await ParamsAsync(context).ConfigureAwait(false);
        var query = One(p, "query");
        if (string.IsNullOrEmpty(query))
        {
            await ApiJson.ErrorAsync(context, ErrorType.BadData, "invalid parameter \"query\": query must not be empty").ConfigureAwait(false);
            return;
        }

        var time = ApiParameters.ParseTime(One(p, "time"), Now(context), out var error);
        if (time is null)
        {
            await ApiJson.ErrorAsync(context, ErrorType.BadData, $"invalid parameter \"time\": {error}").ConfigureAwait(false);
            return;
        }

        var engine = context.RequestServices.GetRequiredService<QueryEngine>();
        var result = engine.InstantQuery(query, time.Value, context.RequestAborted);
        await RenderAsync(context, result).ConfigureAwait(false);
    }

    private static async Task QueryRangeAsync(HttpContext context)
    {
        var p = await ParamsAsync(context).ConfigureAwait(false);
        var query = One(p, "query");
        var start = ApiParameters.ParseTime(One(p, "start"), long.MinValue, out var startError);
        var end = ApiParameters.ParseTime(One(p, "end"), long.MinValue, out var endError);
        var step = ApiParameters.ParseDuration(One(p, "step"), out var stepError);
        string? error = null;
        if (string.IsNullOrEmpty(query))
        {
            error = "invalid parameter \"query\": query must not be empty";
        }
        else if (start is null or long.MinValue)
        {
            error = $"invalid parameter \"start\": {startError ?? "cannot parse \"\" to a valid timestamp"}";
        }
        else if (end is null or long.MinValue)
        {
            error = $"invalid parameter \"end\": {endError ?? "cannot parse \"\" to a valid timestamp"}";
        }
        else if (end < start)
        {
            error = "invalid parameter \"end\": end timestamp must not be before start time";
        }
        else if (step is null)
        {
            error = $"invalid parameter \"step\": {stepError}";
        }
        else if (step <= 0)
        {
            error = "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer";
        }
        else if ((end - start) / step > 11000)
        {
            error = "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)";
        }

        if (error is not null)
        {
            await ApiJson.ErrorAsync(context, ErrorType.BadData, error).ConfigureAwait(false);
            return;
        }

        var engine = context.RequestServices.GetRequiredService<QueryEngine>();
        var result = engine.RangeQuery(query!, start!.Value, end!.Value, step!.Value, context.RequestAborted);
        await RenderAsync(context, result).ConfigureAwait(false);
    }

    private static Task RenderAsync(HttpContext context, QueryResult result) =>
        result.IsSuccess
            ? ApiJson.SuccessAsync(context, w => ApiJson.WriteQueryData(w, result.Value!))
            : ApiJson.ErrorAsync(context, result.ErrorType ?? ErrorType.Internal, result.Error!);

    private static async Task<(long Start, long End, List<IReadOnlyList<LabelMatcher>>? Matchers, string? Error)> RangeAndMatchersAsync(HttpContext context, bool matchRequired)
    {
        var p = await ParamsAsync(context).ConfigureAwait(false);
        var start = ApiParameters.ParseTime(One(p, "start"), ApiParameters.MinTime, out var startError);
        var end = ApiParameters.ParseTime(One(p, "end"), ApiParameters.MaxTime, out var endError);
        if (start is null)
        {
            return (0, 0, null, $"invalid parameter \"start\": {startError}");
        }

        if (end is null)
        {
            return (0, 0, null, $"invalid parameter \"end\": {endError}");
        }

        var selectors = p.TryGetValue("match[]", out var m) ? m.ToArray() : [];
        if (matchRequired && selectors.Length == 0)
        {
            return (0, 0, null, "no match[] parameter provided");
        }

        var matchers = ApiParameters.ParseMatchers(selectors, out var matchError);
        return matchers is null ? (0, 0, null, matchError) : (start.Value, end.Value, matchers, null);
    }

    private static async Task SeriesAsync(HttpContext context)
    {
        var (start, end, matchers, error) = await RangeAndMatchersAsync(context, matchRequired: true).ConfigureAwait(false);
        if (error is not null)
        {
            await ApiJson.ErrorAsync(context, ErrorType.BadData, error).ConfigureAwait(false);
            return;
        }

        var querier = context.RequestServices.GetRequiredService<IQuerier>();
        var series = new SortedSet<Labels>();
        foreach (var set in matchers!)
        {
            foreach (var s in querier.Select(start, end, set))
            {
                series.Add(s.Labels);
            }
        }

        await ApiJson.SuccessAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var labels in series)
            {
                ApiJson.WriteLabels(w, labels);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task LabelsAsync(HttpContext context)
    {
        var (start, end, matchers, error) = await RangeAndMatchersAsync(context, matchRequired: false).ConfigureAwait(false);
        if (error is not null)
        {
            await ApiJson.ErrorAsync(context, ErrorType.BadData, error).ConfigureAwait(false);
            return;
        }

        var querier = context.RequestServices.GetRequiredService<IQuerier>();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var set in matchers!.Count == 0 ? [[]] : matchers)
        {
            names.UnionWith(querier.LabelNames(start, end, set));
        }

        await ApiJson.SuccessAsync(context, w => ApiJson.WriteStrings(w, names)).ConfigureAwait(false);
    }

    private static async Task LabelValuesAsync(HttpContext context, string name)
    {
        var (start, end, matchers, error) = await RangeAndMatchersAsync(context, matchRequired: false).ConfigureAwait(false);
        if (error is not null)
        {
            await ApiJson.ErrorAsync(context, ErrorType.BadData, error).ConfigureAwait(false);
            return;
        }

        var querier = context.RequestServices.GetRequiredService<IQuerier>();
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var set in matchers!.Count == 0 ? [[]] : matchers)
        {
            values.UnionWith(querier.LabelValues(name, start, end, set));
        }

        await ApiJson.SuccessAsync(context, w => ApiJson.WriteStrings(w, values)).ConfigureAwait(false);
    }

    private static Task MetadataAsync(HttpContext context)
    {
        var cache = context.RequestServices.GetRequiredService<MetadataCache>();
        var metric = context.Request.Query["metric"].ToString();
        var limit = int.TryParse(context.Request.Query["limit"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) && l >= 0 ? l : int.MaxValue;
        return ApiJson.SuccessAsync(context, w =>
        {
            w.WriteStartObject();
            var count = 0;
            foreach (var family in cache.Families.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                if ((metric.Length > 0 && family.Name != metric) || count >= limit)
                {
                    continue;
                }

                count++;
                w.WritePropertyName(family.Name);
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("type", family.Type switch
                {
                    MetricType.Counter => "counter",
                    MetricType.Gauge => "gauge",
                    MetricType.Histogram => "histogram",
                    MetricType.Summary => "summary",
                    MetricType.Info => "info",
                    MetricType.StateSet => "stateset",
                    _ => "unknown",
                });
                w.WriteString("help", family.Help);
                w.WriteString("unit", "");
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteEndObject();
        });
    }

    private static Task BuildInfoAsync(HttpContext context)
    {
        var version = typeof(PrometheusApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return ApiJson.SuccessAsync(context, w =>
        {
            w.WriteStartObject();
            // Grafana reads "version" to pick features; it is Opsmon's own, with the Prometheus API level it answers.
            w.WriteString("version", version.Split('+')[0]);
            w.WriteString("revision", version.Contains('+', StringComparison.Ordinal) ? version.Split('+')[1] : "");
            w.WriteString("branch", "main");
            w.WriteString("buildUser", "opsmon");
            w.WriteString("buildDate", "");
            w.WriteString("goVersion", "dotnet" + Environment.Version);
            w.WriteEndObject();
        });
    }

    private static Task RuntimeInfoAsync(HttpContext context)
    {
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        var data = context.RequestServices.GetService<AgentInfo>();
        return ApiJson.SuccessAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("startTime", process.StartTime.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("CWD", Environment.CurrentDirectory);
            w.WriteBoolean("reloadConfigSuccess", true);
            w.WriteString("lastConfigTime", time.GetUtcNow().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("corruptionCount", 0);
            w.WriteNumber("goroutineCount", process.Threads.Count);
            w.WriteNumber("GOMAXPROCS", Environment.ProcessorCount);
            w.WriteString("GOGC", "");
            w.WriteString("GODEBUG", "");
            w.WriteString("storageRetention", data?.Retention ?? "");
            w.WriteEndObject();
        });
    }
}

/// <summary>Facts about the running agent that API endpoints report.</summary>
public sealed record AgentInfo(string DataDirectory, string Retention);
