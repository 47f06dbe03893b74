using Opsmon.Commands;

namespace Opsmon.Tests.Support;

/// <summary>Runs the CLI in-process, capturing what it prints.</summary>
public static class CliRun
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Cli.RunAsync(args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
