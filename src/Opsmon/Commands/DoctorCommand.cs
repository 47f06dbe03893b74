using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Opsmon.Agent;
using Opsmon.Analysis;
using Opsmon.Collectors;
using Opsmon.Core.Series;
using Opsmon.Query.PromqlTest;
using Opsmon.Storage;
using Spectre.Console;

namespace Opsmon.Commands;

/// <summary>
/// <c>opsmon doctor</c>: samples the machine for --duration at --interval, analyses it (USE method per resource,
/// leaks, forecasts) and prints what is wrong, why and what to do. Exit 0 healthy, 1 warnings, 2 critical.
/// With --from DIR it analyses the store's history instead, which leak and forecast checks need.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var flags = new CollectorFlags();
        var duration = new Option<string>("--duration") { Description = "How long to sample the machine (default 5s).", DefaultValueFactory = _ => "5s" };
        var interval = new Option<string>("--interval") { Description = "Sampling interval (default 1s).", DefaultValueFactory = _ => "1s" };
        var from = new Option<string?>("--from") { Description = "Analyse history instead of sampling now: a running agent's URL (http://127.0.0.1:9184) or a store directory no agent is using." };
        var window = new Option<string>("--window") { Description = "With --from: how much history to analyse, ending now (default 1h).", DefaultValueFactory = _ => "1h" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (schema in docs/doctor.md)." };
        var all = new Option<bool>("--all") { Description = "Also list the checks that found nothing wrong." };
        var command = new Command("doctor", "Tell what is wrong with this machine now: findings with evidence and suggestions. Exit 0 healthy, 1 warnings, 2 critical.");
        flags.AddTo(command);
        command.Options.Add(duration);
        command.Options.Add(interval);
        command.Options.Add(from);
        command.Options.Add(window);
        command.Options.Add(json);
        command.Options.Add(all);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var resolved = flags.Resolve(parse);
            if (resolved.Error is not null)
            {
                await stderr.WriteLineAsync($"opsmon: {resolved.Error}").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            if (!Configuration.ConfigLoader.TryDuration(parse.GetValue(duration)!, out var span) || span > TimeSpan.FromHours(1))
            {
                await stderr.WriteLineAsync($"opsmon: --duration: '{parse.GetValue(duration)}' is not a duration up to 1h (for example 5s).").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            if (!Configuration.ConfigLoader.TryDuration(parse.GetValue(interval)!, out var step) || step < TimeSpan.FromMilliseconds(100) || step > span)
            {
                await stderr.WriteLineAsync($"opsmon: --interval: '{parse.GetValue(interval)}' must be a duration from 100ms up to --duration.").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            if (!Configuration.ConfigLoader.TryDuration(parse.GetValue(window)!, out var history))
            {
                await stderr.WriteLineAsync($"opsmon: --window: '{parse.GetValue(window)}' is not a duration (for example 1h).").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            var config = resolved.Config!;
            var thresholds = config.DoctorThresholds ?? Thresholds.Default;
            var machine = new MachineFacts(Environment.ProcessorCount, Environment.SystemPageSize, 0, Environment.MachineName);
            DoctorReport report;
            var source = parse.GetValue(from);
            if (source is not null)
            {
                var end = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                var begin = end - (long)history.TotalMilliseconds;
                if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
                    var remote = new Http.RemoteQuerier(http, new Uri(source.EndsWith('/') ? source : source + "/"));
                    try
                    {
                        report = new Analyzer().Run(remote, begin, end, thresholds, machine);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException)
                    {
                        await stderr.WriteLineAsync($"opsmon: --from {source}: {e.Message}").ConfigureAwait(false);
                        return 1;
                    }
                }
                else
                {
                    var store = new DirectoryInfo(source);
                    if (!store.Exists)
                    {
                        await stderr.WriteLineAsync($"opsmon: --from {store.FullName}: no such directory (or give an agent's URL, e.g. http://127.0.0.1:9184).").ConfigureAwait(false);
                        return Cli.ExitUsage;
                    }

                    try
                    {
                        using var tsdb = Tsdb.Open(new TsdbOptions(store.FullName));
                        report = new Analyzer().Run(tsdb, begin, end, thresholds, machine);
                    }
                    catch (IOException e)
                    {
                        await stderr.WriteLineAsync($"opsmon: --from {store.FullName}: {e.Message}").ConfigureAwait(false);
                        return 1;
                    }
                }
            }
            else
            {
                var memory = new MemoryStorage();
                // Collector errors only, written directly: the console logging stack costs a noticeable share of start-up
                // (JIT) before the first sample on a busy machine.
                var context = Hosting.CollectorContextFor(config, new StderrErrors(stderr));

                // A window of seconds needs every sample fresh: smaps_rollup (USS, PSS) cached for a minute would
                // show a leaking process as flat.
                context = context with { Options = context.Options with { SmapsMaxAge = TimeSpan.Zero } };
                var scraper = new Scraper(context, config.EnabledCollectors);
                var showProgress = !parse.GetValue(json) && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

                // .NET processes' GC heaps, read alongside (connecting never delays the first sample), tell the leak
                // check managed growth from native growth; a window too short for the leak detector does without.
                var heaps = span >= thresholds.Leak.MinSpan
                    ? Task.Run(() => Analysis.Leaks.ManagedHeapSampler.StartAsync(TimeProvider.System, TimeSpan.FromSeconds(Math.Min(2, span.TotalSeconds)), cancellationToken), cancellationToken)
                    : null;
                var warmUp = new WarmUp(thresholds, machine);
                var (start, end) = await SampleAsync(scraper, memory, span, step, showProgress ? stderr : null, warmUp, cancellationToken).ConfigureAwait(false);
                if (heaps is not null)
                {
                    await using var sampler = await heaps.ConfigureAwait(false);
                    await sampler.StopAndAppendAsync(memory).ConfigureAwait(false);
                }

                report = new Analyzer().Run(memory, start, end, thresholds, machine);
            }

            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(report, AnalysisJsonContext.Default.DoctorReport)).ConfigureAwait(false);
            }
            else if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")))
            {
                RenderRich(report, parse.GetValue(all));
            }
            else
            {
                await stdout.WriteAsync(RenderPlain(report, parse.GetValue(all))).ConfigureAwait(false);
            }

            return report.ExitCode;
        });
        return command;
    }

    /// <summary>Collects into <paramref name="memory"/> every <paramref name="step"/> for <paramref name="span"/>; returns the window in ms.</summary>
    private static async Task<(long Start, long End)> SampleAsync(
        Scraper scraper, MemoryStorage memory, TimeSpan span, TimeSpan step, TextWriter? progress, WarmUp warmUp, CancellationToken cancellationToken)
    {
        var conversion = new SampleConversion();
        var clock = Stopwatch.StartNew();
        var origin = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var samples = (int)(span.TotalMilliseconds / step.TotalMilliseconds) + 1;
        var last = origin;
        var due = TimeSpan.Zero;
        for (var i = 1; ; i++)
        {
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }

            // Stamped when it is taken, not when it was due: on a busy machine a late scrape stamped on schedule
            // would make every counter's rate wrong (PSI above 100%).
            last = origin + (long)clock.Elapsed.TotalMilliseconds;
            var families = scraper.Collect().Families;
            conversion.AppendAll(families, memory, last);
            memory.Commit();
            warmUp.Add(i, families, last);
            progress?.Write($"\rsampling {i}/{samples}…");

            // A late scrape skips the ticks it missed, and none starts after --duration, so doctor returns on time
            // however slow the machine is.
            var next = step * (Math.Floor(clock.Elapsed / step) + 1);
            if (i == 1 && clock.Elapsed >= span)
            {
                // The first scrape (JIT, every /proc file cold) outlasted the whole window on an overloaded machine:
                // one more at once, since a single sample gives no rate and so no CPU, pressure or disk check at all.
                next = clock.Elapsed;
            }
            else if (next > span)
            {
                if (due >= span || clock.Elapsed >= span)
                {
                    break;
                }

                next = span;
            }

            due = next;
        }

        progress?.Write("\r                         \r");
        return (origin, last);
    }

    /// <summary>
    /// An analysis pass over the first two samples, in the background while doctor waits for the next ones, so the
    /// checks, the JSON writer and the plain renderer are compiled (JIT) before the real pass: on a busy 2-core
    /// machine that compilation was most of the second between the last sample and the report. Its result is
    /// thrown away; it reads its own copy of the samples, never the store being appended to.
    /// </summary>
    private sealed class WarmUp(Thresholds thresholds, MachineFacts machine)
    {
        private readonly MemoryStorage _copy = new();
        private readonly SampleConversion _conversion = new();
        private long _first;

        public void Add(int sample, IReadOnlyList<Core.Metrics.MetricFamily> families, long timestamp)
        {
            if (sample > 2)
            {
                return;
            }

            _conversion.AppendAll(families, _copy, timestamp);
            _copy.Commit();
            if (sample == 1)
            {
                _first = timestamp;
                return;
            }

            var start = _first;
            _ = Task.Run(() =>
            {
                try
                {
                    var report = new Analyzer().Run(_copy, start, timestamp, thresholds, machine);
                    _ = JsonSerializer.Serialize(report, AnalysisJsonContext.Default.DoctorReport);
                    _ = RenderPlain(report, all: true);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Only a warm-up: the real pass reports whatever goes wrong.
                }
            });
        }
    }

    /// <summary>An <see cref="Microsoft.Extensions.Logging.ILogger"/> that writes errors to stderr as "opsmon: message" and drops the rest.</summary>
    private sealed class StderrErrors(TextWriter stderr) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lock (stderr)
            {
                stderr.WriteLine("opsmon: " + formatter(state, exception));
            }
        }
    }

    private static string Icon(Severity s) => s switch
    {
        Severity.Critical => "CRITICAL",
        Severity.Warning => "WARNING ",
        _ => "ok      ",
    };

    public static string RenderPlain(DoctorReport report, bool all)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"opsmon doctor: {report.Machine.Hostname}, {report.Machine.Cores} cores, {report.Window.DurationSeconds:0.#} s analysed\n\n");
        foreach (var f in report.Findings.Where(f => all || f.Severity != Severity.Ok))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Icon(f.Severity)} {f.Id} [{f.Resource}]\n  {f.Explanation}\n");
            if (f.Evidence.Count > 0)
            {
                sb.Append("  evidence: ").Append(string.Join(", ", f.Evidence.Select(e => $"{e.Name} {Format(e.Value, e.Unit)}"))).Append('\n');
            }

            foreach (var p in f.Processes.Take(5))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {(p.Pid is { } pid ? $"pid {pid}" : "group")} {p.Name}: {Format(p.Value, p.Unit)}\n");
            }

            foreach (var c in f.Cgroups.Take(3))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  cgroup {c.Cgroup}: {Format(c.Value, c.Unit)}\n");
            }

            if (f.Suggestion.Length > 0)
            {
                sb.Append("  → ").Append(f.Suggestion).Append('\n');
            }

            sb.Append('\n');
        }

        var critical = report.Findings.Count(f => f.Severity == Severity.Critical);
        var warnings = report.Findings.Count(f => f.Severity == Severity.Warning);
        var ok = report.Findings.Count(f => f.Severity == Severity.Ok);
        sb.Append(CultureInfo.InvariantCulture, $"{(critical + warnings == 0 ? "healthy" : "problems found")}: {critical} critical, {warnings} warnings, {ok} ok\n");
        return sb.ToString();
    }

    private static void RenderRich(DoctorReport report, bool all)
    {
        AnsiConsole.MarkupLine($"[bold]opsmon doctor[/]: {Markup.Escape(report.Machine.Hostname)}, {report.Machine.Cores} cores, {report.Window.DurationSeconds:0.#} s analysed");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("finding").AddColumn("evidence and next step");
        foreach (var f in report.Findings.Where(f => all || f.Severity != Severity.Ok))
        {
            var color = f.Severity switch { Severity.Critical => "red", Severity.Warning => "yellow", _ => "green" };
            var detail = new StringBuilder(Markup.Escape(f.Explanation));
            if (f.Evidence.Count > 0)
            {
                detail.Append("\n[grey]").Append(Markup.Escape(string.Join(", ", f.Evidence.Select(e => $"{e.Name} {Format(e.Value, e.Unit)}")))).Append("[/]");
            }

            foreach (var p in f.Processes.Take(3))
            {
                detail.Append("\n[grey]").Append(Markup.Escape($"{(p.Pid is { } pid ? $"pid {pid}" : "group")} {p.Name}: {Format(p.Value, p.Unit)}")).Append("[/]");
            }

            if (f.Suggestion.Length > 0)
            {
                detail.Append("\n→ ").Append(Markup.Escape(f.Suggestion));
            }

            table.AddRow(new Markup($"[{color}]{f.Severity.ToString().ToUpperInvariant()}[/]"), new Markup($"[bold]{Markup.Escape(f.Id)}[/]\n{Markup.Escape(f.Resource)}"), new Markup(detail.ToString()));
        }

        if (table.Rows.Count > 0)
        {
            AnsiConsole.Write(table);
        }

        var critical = report.Findings.Count(f => f.Severity == Severity.Critical);
        var warnings = report.Findings.Count(f => f.Severity == Severity.Warning);
        var ok = report.Findings.Count(f => f.Severity == Severity.Ok);
        AnsiConsole.MarkupLine(critical + warnings == 0
            ? $"[green]healthy[/]: {ok} checks found nothing wrong"
            : $"[red]{critical} critical[/], [yellow]{warnings} warnings[/], {ok} ok");
    }

    /// <summary>Human units: bytes in KiB/MiB/GiB, percents, seconds.</summary>
    public static string Format(double value, string unit) => unit switch
    {
        "bytes" => Bytes(value),
        "bytes/s" => Bytes(value) + "/s",
        "percent" => value.ToString("0.#", CultureInfo.InvariantCulture) + "%",
        "ratio" => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%",
        "seconds" when double.IsPositiveInfinity(value) => "never",
        "seconds" => value >= 3600 ? (value / 3600).ToString("0.#", CultureInfo.InvariantCulture) + " h" : value.ToString("0.##", CultureInfo.InvariantCulture) + " s",
        "celsius" => value.ToString("0.#", CultureInfo.InvariantCulture) + " °C",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture) + (unit is "count" or "" ? "" : " " + unit),
    };

    private static string Bytes(double v)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var i = 0;
        while (Math.Abs(v) >= 1024 && i < units.Length - 1)
        {
            v /= 1024;
            i++;
        }

        return v.ToString(i == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[i];
    }
}
