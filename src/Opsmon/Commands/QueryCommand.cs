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
        var command = new Command("query", "Evaluate a PromQL expression at one time over the local store.");
        command.Arguments.Add(expr);
        command.Options.Add(time);
        command.Options.Add(data);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var at = ApiParameters.ParseTime(parse.GetValue(time), TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), out var error);
            if (at is null)
            {
                stderr.WriteLine($"opsmon: --time: {error}");
                return Cli.ExitUsage;
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
        var command = new Command("query-range", "Evaluate a PromQL expression at each step from --start to --end over the local store.");
        command.Arguments.Add(expr);
        command.Options.Add(start);
        command.Options.Add(end);
        command.Options.Add(step);
        command.Options.Add(data);
        command.Options.Add(json);
        command.SetAction(parse =>
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

            return WithStore(parse.GetValue(data), stderr, store =>
                Print(new QueryEngine(store).RangeQuery(parse.GetValue(expr)!, from!.Value, to!.Value, resolution!.Value), parse.GetValue(json), stdout, stderr));
        });
        return command;
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
