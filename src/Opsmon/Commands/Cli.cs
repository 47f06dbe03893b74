using System.CommandLine;

namespace Opsmon.Commands;

/// <summary>The command tree. Each command is one file; this only assembles them and maps parse errors to exit code 2.</summary>
public static class Cli
{
    public const int ExitUsage = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("Opsmon: local-first system monitoring agent. Prometheus-compatible host and process metrics.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(QueryCommand.CreateInstant());
        root.Subcommands.Add(QueryCommand.CreateRange());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(PromqlTestCommand.Create());
        root.Subcommands.Add(RulesCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"opsmon: {error.Message}").ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("Run 'opsmon --help' for usage.").ConfigureAwait(false);
            return ExitUsage;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        return await parse.InvokeAsync(config).ConfigureAwait(false);
    }
}
