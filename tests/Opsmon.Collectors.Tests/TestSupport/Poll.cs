using System.Diagnostics;

namespace Opsmon.Collectors.Tests.TestSupport;

/// <summary>Waits for a condition another thread makes true, failing after a deadline instead of sleeping a fixed time.</summary>
public static class Poll
{
    public static async Task Until(Func<bool> condition, int timeoutMs = 10_000)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started).TotalMilliseconds > timeoutMs)
            {
                throw new Xunit.Sdk.XunitException($"condition not met within {timeoutMs} ms");
            }

            await Task.Delay(5);
        }
    }
}
