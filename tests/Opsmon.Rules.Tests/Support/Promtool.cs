using System.Diagnostics;

namespace Opsmon.Rules.Tests.Support;

/// <summary>Runs Debian's promtool; a missing promtool fails the test (scripts/test.sh installs the prometheus package).</summary>
public static class Promtool
{
    public static string Require()
    {
        foreach (var dir in new[] { "/usr/bin", "/usr/local/bin" })
        {
            var path = System.IO.Path.Combine(dir, "promtool");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException("promtool is not installed; scripts/test.sh installs it from Debian (apt-get install prometheus).");
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Require())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
