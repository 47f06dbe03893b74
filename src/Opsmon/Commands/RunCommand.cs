using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Opsmon.Agent;
using Opsmon.Collectors;
using Opsmon.Core.Series;
using Opsmon.Http;
using Opsmon.Query;
using Opsmon.RemoteWrite;
using Opsmon.Rules.Alerting;
using Opsmon.Storage;

namespace Opsmon.Commands;

/// <summary>
/// <c>opsmon run</c>: the agent. Collects every interval into the embedded store, serves /metrics, the
/// Prometheus HTTP API over the store, the remote-write receiver and the health endpoints, and ships the
/// store to remote-write receivers when configured.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var flags = new CollectorFlags();
        var listen = new Option<string?>("--listen") { Description = "Address to serve HTTP on, HOST:PORT (default 127.0.0.1:9184, or listen: in the config)." };
        var data = StoreOptions.DataOption();
        var interval = new Option<string?>("--interval") { Description = "Collection interval for the store, 1s to 1h (default 15s, or interval: in the config)." };
        var retention = new Option<string?>("--retention") { Description = "How long the store keeps data (default 30d, or retention: in the config)." };
        var command = new Command("run", "Run the agent: collect into the store every interval; serve /metrics, the Prometheus API (/api/v1/*), /api/v1/write, /-/healthy and /-/ready.");
        flags.AddTo(command);
        command.Options.Add(listen);
        command.Options.Add(data);
        command.Options.Add(interval);
        command.Options.Add(retention);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var resolved = flags.Resolve(parse);
            if (resolved.Error is not null)
            {
                await stderr.WriteLineAsync($"opsmon: {resolved.Error}").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            var config = resolved.Config!;
            var endpoint = Hosting.ParseListen(parse.GetValue(listen) ?? config.Listen, out var listenError);
            var error = listenError;
            if (endpoint is not null && parse.GetValue(interval) is { } i)
            {
                if (Configuration.ConfigLoader.TryInterval(i, out var span))
                {
                    config = config with { Interval = span };
                }
                else
                {
                    error = $"--interval: '{i}' {Configuration.ConfigLoader.IntervalRule}.";
                }
            }

            if (error is null && parse.GetValue(retention) is { } r)
            {
                if (Configuration.ConfigLoader.TryRetention(r, out var span))
                {
                    config = config with { Retention = span };
                }
                else
                {
                    error = $"--retention: '{r}' {Configuration.ConfigLoader.RetentionRule}.";
                }
            }

            if (error is not null || endpoint is null)
            {
                await stderr.WriteLineAsync($"opsmon: {error}").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            // A taken port is found before the store is opened and before the host starts: the host would log its own
            // failure with a stack trace next to our message.
            if (Hosting.ListenProblem(endpoint) is { } taken)
            {
                await stderr.WriteLineAsync($"opsmon: --listen {endpoint}: cannot listen: {taken}").ConfigureAwait(false);
                return 1;
            }

            var dataDir = parse.GetValue(data)?.FullName ?? config.EffectiveDataDirectory;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint)); // the slim builder's Kestrel: HTTP/1.1 and h2c, no TLS or QUIC stacks
            var time = TimeProvider.System;

            // The store and the senders exist before the host does, so they log through a factory of their own.
            using var earlyLogging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
            Tsdb store;
            try
            {
                store = Tsdb.Open(new TsdbOptions(dataDir) { Retention = config.Retention, MaxBytes = config.RetentionBytes, Time = time },
                    earlyLogging.CreateLogger("store"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                await stderr.WriteLineAsync($"opsmon: --data {dataDir}: cannot open the store: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            using var storeLifetime = store;
            var http = new HttpClient();
            var senders = config.RemoteWrite.Select(o => new RemoteWriteSender(o, store, http, Path.Combine(dataDir, "remote_write"), time,
                earlyLogging.CreateLogger("remote_write"))).ToList();
            builder.Services.AddSingleton(time);
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton<IQuerier>(store);
            builder.Services.AddSingleton(new QueryEngine(store, new EngineOptions(), time));
            builder.Services.AddSingleton(new MetadataCache());
            builder.Services.AddSingleton(new AgentInfo(dataDir, FormatDuration(config.Retention)));
            builder.Services.AddSingleton(config);
            var externalUrl = $"http://{endpoint}/";
            builder.Services.AddSingleton(sp => new AlertRouting(config, sp.GetRequiredService<RuleManager>(), http, externalUrl, time, sp.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddSingleton(sp => new MemoryTrimmer(time, sp.GetRequiredService<ILogger<MemoryTrimmer>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<MemoryTrimmer>());
            builder.Services.AddSingleton(sp => new SelfMetrics(store, senders, sp.GetRequiredService<AlertRouting>(), sp.GetRequiredService<MemoryTrimmer>()));
            builder.Services.AddSingleton(sp =>
                new Scraper(Hosting.CollectorContextFor(config, sp.GetRequiredService<ILoggerFactory>().CreateLogger("collectors")), config.EnabledCollectors));
            builder.Services.AddSingleton(sp => new CollectionLoop(
                sp.GetRequiredService<Scraper>(), store, sp.GetRequiredService<SelfMetrics>(), sp.GetRequiredService<MetadataCache>(),
                time, config.Interval, sp.GetRequiredService<ILogger<CollectionLoop>>(), config.DoctorThresholds));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<CollectionLoop>());
            builder.Services.AddSingleton(sp => new RuleManager(store, store.Appender(), time,
                new RuleManagerOptions { EvaluationInterval = config.EvaluationInterval, ExternalUrl = externalUrl }, sp.GetRequiredService<ILogger<RuleManager>>()));
            builder.Services.AddSingleton(sp => new RuleReloader(sp.GetRequiredService<RuleManager>(), config, sp.GetRequiredService<ILogger<RuleReloader>>()));
            await using var app = builder.Build();
            app.MapMetricsEndpoints();
            app.MapPrometheusApi();
            app.MapRemoteWriteReceiver();
            app.MapRulesApi();

            // Rule files are validated before anything runs: a bad file at start is a bad config (exit 2).
            var ruleErrors = app.Services.GetRequiredService<RuleReloader>().Reload();
            if (ruleErrors.Count > 0)
            {
                await stderr.WriteLineAsync("opsmon: " + string.Join(Environment.NewLine + "opsmon: ", ruleErrors)).ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            // A first collection at start-up: CPU caches and the process tracker take their baseline now, as
            // node_exporter and process-exporter do when they start, not at the first scrape.
            app.Services.GetRequiredService<Scraper>().Collect();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await stderr.WriteLineAsync($"opsmon: --listen {endpoint}: cannot listen: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            var shipping = senders.Select(s => s.RunAsync(stopping.Token)).ToList();
            // Routing subscribes to the rule engine when built, so before the first evaluation; its loop sends the notifications.
            shipping.Add(app.Services.GetRequiredService<AlertRouting>().RunAsync(stopping.Token));
            shipping.Add(app.Services.GetRequiredService<RuleManager>().RunAsync(stopping.Token));
            using var hangup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                app.Services.GetRequiredService<RuleReloader>().Reload();
            });
            app.Logger.LogInformation("Opsmon listening on http://{Endpoint}; store {Data} (retention {Retention}, interval {Interval}); collectors {Collectors}",
                endpoint, dataDir, FormatDuration(config.Retention), FormatDuration(config.Interval), string.Join(",", config.EnabledCollectors));
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            await stopping.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(shipping).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static string FormatDuration(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0.###}s";
}
