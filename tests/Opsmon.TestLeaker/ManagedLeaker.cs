using System.Globalization;

namespace Opsmon.TestLeaker;

/// <summary>
/// Grows the GC heap at a steady rate: small arrays (below the large-object threshold, so they age into gen2)
/// kept in a list and filled, so the resident set grows with them. The managed counterpart of <see cref="Leaker"/>'s leak.
/// </summary>
internal static class ManagedLeaker
{
    private const double Megabyte = 1_000_000;
    private const int Chunk = 32 * 1024;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(double megabytesPerMinute, double lifetime)
    {
        var kept = new List<byte[]>();
        long held = 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}"));
        var clock = TimeProvider.System;
        await Task.Delay(TimeSpan.FromSeconds(1), clock).ConfigureAwait(false);
        var began = clock.GetTimestamp();
        var ready = false;
        for (var step = 0L; ; step++)
        {
            var elapsed = clock.GetElapsedTime(began).TotalSeconds;
            if (elapsed >= lifetime)
            {
                break;
            }

            var want = (long)(megabytesPerMinute * Megabyte * elapsed / 60);
            while (held + Chunk <= want)
            {
                var chunk = new byte[Chunk];
                Array.Fill(chunk, (byte)1);
                kept.Add(chunk);
                held += Chunk;
            }

            if (!ready)
            {
                Console.WriteLine("ready");
                ready = true;
            }

            var wait = (Step * (step + 1)) - clock.GetElapsedTime(began);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock).ConfigureAwait(false);
            }
        }

        GC.KeepAlive(kept);
        return 0;
    }
}
