using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Opsmon.Http;
using Opsmon.Query;
using Opsmon.Storage;

namespace Opsmon.Commands;

/// <summary><c>opsmon query</c> and <c>opsmon query-range</c>: PromQL over the local store, printed like promtool (or as the API's JSON).</summary>
public static class QueryCommand
{
    public static Command CreateInstant()
    {
        var expr = new Argument<string>("EXPR") { Description = "The PromQL expression." };
        var time = new Option<string?>("--time") { Description = "Evaluation time: Unix seconds or RFC 3339 (default now)." };
        var data = StoreOptions.DataOption();
        var json = new Option<bool>("--json") { Description = "Print the Prometheus API's JSON data instead of text." };
        var url = UrlOption();
        var command = new Command("query", "Evaluate a PromQL expression at one time over the local store (or a running agent with --url).");
        command.Arguments.Add(expr);
        command.Options.Add(time);
        command.Options.Add(data);
        command.Options.Add(json);
        command.Options.Add(url);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var at = ApiParameters.ParseTime(parse.GetValue(time), TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), out var error);
            if (at is null)
            {
                stderr.WriteLine($"opsmon: --time: {error}");
                return Cli.ExitUsage;
            }

            if (parse.GetValue(url) is { } agentText)
            {
                if (AgentUrl(agentText, stderr) is not { } agent)
                {
                    return Cli.ExitUsage;
                }

                return Print(await RemoteAsync(cancellationToken, agent, "query", [("query", parse.GetValue(expr)!), ("time", Seconds(at.Value))]), parse.GetValue(json), stdout, stderr);
            }

            return WithStore(parse.GetValue(data), stderr, store =>
                Print(new QueryEngine(store).InstantQuery(parse.GetValue(expr)!, at.Value), parse.GetValue(json), stdout, stderr));
        });
        return command;
    }

    public static Command CreateRange()
    {
        var expr = new Argument<string>("EXPR") { Description = "The PromQL expression." };
        var start = new Option<string>("--start") { Description = "Start: Unix seconds or RFC 3339.", Required = true };
        var end = new Option<string?>("--end") { Description = "End: Unix seconds or RFC 3339 (default now)." };
        var step = new Option<string>("--step") { Description = "Resolution: seconds or a duration such as 15s or 1m (default 15s).", DefaultValueFactory = _ => "15s" };
        var data = StoreOptions.DataOption();
        var json = new Option<bool>("--json") { Description = "Print the Prometheus API's JSON data instead of text." };
        var url = UrlOption();
        var command = new Command("query-range", "Evaluate a PromQL expression at each step from --start to --end over the local store (or a running agent with --url).");
        command.Options.Add(url);
        command.Arguments.Add(expr);
        command.Options.Add(start);
        command.Options.Add(end);
        command.Options.Add(step);
        command.Options.Add(data);
        command.Options.Add(json);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            var from = ApiParameters.ParseTime(parse.GetValue(start), now, out var startError);
            var to = ApiParameters.ParseTime(parse.GetValue(end), now, out var endError);
            var resolution = ApiParameters.ParseDuration(parse.GetValue(step), out var stepError);
            var problem = from is null ? $"--start: {startError}" : to is null ? $"--end: {endError}" : resolution is null or <= 0 ? $"--step: {stepError ?? "must be positive"}" : to < from ? "--end: must not be before --start" : null;
            if (problem is not null)
            {
                stderr.WriteLine($"opsmon: {problem}");
                return Cli.ExitUsage;
            }

            if (parse.GetValue(url) is { } agentText)
            {
                if (AgentUrl(agentText, stderr) is not { } agent)
                {
                    return Cli.ExitUsage;
                }

                return Print(await RemoteAsync(cancellationToken, agent, "query_range", [("query", parse.GetValue(expr)!), ("start", Seconds(from!.Value)), ("end", Seconds(to!.Value)),
                    ("step", (resolution!.Value / 1000.0).ToString(CultureInfo.InvariantCulture))]), parse.GetValue(json), stdout, stderr);
            }

            return WithStore(parse.GetValue(data), stderr, store =>
                Print(new QueryEngine(store).RangeQuery(parse.GetValue(expr)!, from!.Value, to!.Value, resolution!.Value), parse.GetValue(json), stdout, stderr));
        });
        return command;
    }

    private static Option<string?> UrlOption() => new("--url")
    {
        Description = "Query a running agent (or any Prometheus-compatible API) at this base URL, e.g. http://127.0.0.1:9184, instead of opening --data.",
    };

    /// <summary>The --url value as a base URL ending in '/', or null after saying why it is not one.</summary>
    private static Uri? AgentUrl(string text, TextWriter stderr)
    {
        if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
        {
            return parsed;
        }

        stderr.WriteLine($"opsmon: --url: '{text}' is not an http(s) URL (for example http://127.0.0.1:9184).");
        return null;
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Runs the query through a Prometheus HTTP API and turns its JSON back into a result.</summary>
    private static async Task<QueryResult> RemoteAsync(CancellationToken cancellationToken, Uri baseUrl, string endpoint, (string Key, string Value)[] form)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            using var content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
            using var response = await http.PostAsync(new Uri(baseUrl, "api/v1/" + endpoint), content, cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var root = doc.RootElement;
            if (root.GetProperty("status").GetString() != "success")
            {
                var type = root.GetProperty("errorType").GetString() switch
                {
                    "bad_data" => ErrorType.BadData,
                    "execution" => ErrorType.Execution,
                    "timeout" => ErrorType.Timeout,
                    "canceled" => ErrorType.Canceled,
                    _ => ErrorType.Internal,
                };
                return QueryResult.Failure(type, root.GetProperty("error").GetString() ?? "");
            }

            return QueryResult.Success(ApiJson.ReadQueryData(root.GetProperty("data")));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return QueryResult.Failure(ErrorType.Internal, $"--url {baseUrl}: {e.Message}");
        }
    }

    internal static int WithStore(DirectoryInfo? data, TextWriter stderr, Func<Tsdb, int> action)
    {
        var dir = data?.FullName ?? Configuration.OpsmonConfig.DefaultDataDirectory();
        if (!Directory.Exists(dir))
        {
            stderr.WriteLine($"opsmon: --data {dir}: no store there (run `opsmon run` or `opsmon import` first, or pass --data).");
            return 1;
        }

        try
        {
            using var store = Tsdb.Open(new TsdbOptions(dir));
            return action(store);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"opsmon: --data {dir}: cannot open the store: {e.Message}");
            return 1;
        }
    }

    private static int Print(QueryResult result, bool json, TextWriter stdout, TextWriter stderr)
    {
        if (!result.IsSuccess)
        {
            stderr.WriteLine($"opsmon: {result.ErrorType?.ToWireName()}: {result.Error}");
            return result.ErrorType == ErrorType.BadData ? Cli.ExitUsage : 1;
        }

        if (json)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                ApiJson.WriteQueryData(w, result.Value!);
            }

            stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
            return 0;
        }

        stdout.Write(Render(result.Value!));
        return 0;
    }

    /// <summary>promtool's text form: <c>metric{l="v"} => 1 @[1700000000]</c>, one line per sample.</summary>
    public static string Render(QueryValue value)
    {
        var sb = new StringBuilder();
        static string T(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        switch (value)
        {
            case ScalarValue s:
                sb.Append(CultureInfo.InvariantCulture, $"scalar: {ApiJson.FormatValue(s.V)} @[{T(s.T)}]\n");
                break;
            case StringValue s:
                sb.Append(CultureInfo.InvariantCulture, $"string: {s.V} @[{T(s.T)}]\n");
                break;
            case VectorValue v:
                foreach (var sample in v.Samples)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{sample.Metric} => {ApiJson.FormatValue(sample.V)} @[{T(sample.T)}]\n");
                }

                break;
            case MatrixValue m:
                foreach (var series in m.Series)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{series.Metric} =>\n");
                    foreach (var p in series.Points)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"{ApiJson.FormatValue(p.V)} @[{T(p.T)}]\n");
                    }
                }

                break;
        }

        return sb.ToString();
    }
}
