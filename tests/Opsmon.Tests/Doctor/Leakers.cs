using System.Diagnostics;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Doctor;

/// <summary>Starts Opsmon.TestLeaker children (a known memory shape each) and waits until each has taken its first step.</summary>
public static class Leakers
{
    public static async Task<RunningProcess> StartAsync(params string[] args)
    {
        var leaker = RunningProcess.Start(Tools.Dotnet, [Path.Combine(AppContext.BaseDirectory, "Opsmon.TestLeaker.dll"), .. args]);
        var clock = Stopwatch.StartNew();
        while (!leaker.Output.Contains("ready", StringComparison.Ordinal))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                await leaker.DisposeAsync();
                throw new TimeoutException($"Opsmon.TestLeaker {string.Join(' ', args)} did not get ready:\n{leaker.Output}");
            }

            await Task.Delay(50);
        }

        return leaker;
    }
}
