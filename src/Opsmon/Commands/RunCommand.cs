using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Opsmon.Collectors;
using Opsmon.Http;

namespace Opsmon.Commands;

/// <summary><c>opsmon run</c>: the agent. Serves /metrics and the health endpoints.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var flags = new CollectorFlags();
        var listen = new Option<string?>("--listen") { Description = "Address to serve HTTP on, HOST:PORT (default 127.0.0.1:9184, or listen: in the config)." };
        var command = new Command("run", "Run the agent: serve /metrics, /-/healthy and /-/ready over HTTP.");
        flags.AddTo(command);
        command.Options.Add(listen);
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
            if (endpoint is null)
            {
                await stderr.WriteLineAsync($"opsmon: {listenError}").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.WebHost.UseKestrel(k => k.Listen(endpoint));
            builder.Services.AddSingleton(sp =>
                new Scraper(Hosting.CollectorContextFor(config, sp.GetRequiredService<ILoggerFactory>().CreateLogger("collectors")), config.EnabledCollectors));
            await using var app = builder.Build();
            app.MapMetricsEndpoints();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await stderr.WriteLineAsync($"opsmon: --listen {endpoint}: cannot listen: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            app.Logger.LogInformation("Opsmon listening on http://{Endpoint} with collectors {Collectors}", endpoint, string.Join(",", config.EnabledCollectors));
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
