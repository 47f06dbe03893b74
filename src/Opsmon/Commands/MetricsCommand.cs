using System.CommandLine;
using Opsmon.Collectors;
using Opsmon.Collectors.Exposition;

namespace Opsmon.Commands;

/// <summary><c>opsmon metrics</c>: one collection printed in Prometheus text format (or OpenMetrics).</summary>
public static class MetricsCommand
{
    public static Command Create()
    {
        var flags = new CollectorFlags();
        var openMetrics = new Option<bool>("--openmetrics") { Description = "Print OpenMetrics 1.0 instead of the Prometheus text format 0.0.4." };
        var command = new Command("metrics", "Collect once and print the metrics in Prometheus text format.");
        flags.AddTo(command);
        command.Options.Add(openMetrics);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var resolved = flags.Resolve(parse);
            if (resolved.Error is not null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"opsmon: {resolved.Error}").ConfigureAwait(false);
                return Cli.ExitUsage;
            }

            var config = resolved.Config!;
            var scraper = new Scraper(Hosting.CollectorContextFor(config, Hosting.StderrLogger()), config.EnabledCollectors);
            var format = parse.GetValue(openMetrics) ? ExpositionFormat.OpenMetrics : ExpositionFormat.Text;
            var text = ExpositionWriter.ToText(scraper.Collect().Families, format);
            await parse.InvocationConfiguration.Output.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
