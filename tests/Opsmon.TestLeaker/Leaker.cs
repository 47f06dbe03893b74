using System.Globalization;
using System.Runtime.InteropServices;

namespace Opsmon.TestLeaker;

/// <summary>
/// Reserves one native block large enough for the whole run and touches its pages in small steps, so the
/// resident set grows by exactly the touched pages; "freeing" returns them to the kernel with
/// madvise(MADV_DONTNEED), which drops them from the resident set at once, unlike free() whose memory
/// glibc may keep.
/// </summary>
internal static partial class Leaker
{
    private const double Megabyte = 1_000_000;
    private const int MadviseDontNeed = 4;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    // Above glibc's largest dynamic mmap threshold (32 MiB), so the block is always a fresh mapping whose
    // pages are not resident until touched.
    private const long MinReservation = 64L << 20;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage("no mode");
        }

        var mode = args[0];
        var options = new Dictionary<string, double>(StringComparer.Ordinal) { ["--lifetime"] = 300 };
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            if (!double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return Usage($"{args[i]}: '{args[i + 1]}' is not a number");
            }

            options[args[i]] = value;
        }

        var lifetime = options["--lifetime"];
        if (mode == "managed-leak" && options.TryGetValue("--mb-per-minute", out var managedRate))
        {
            return await ManagedLeaker.RunAsync(managedRate, lifetime).ConfigureAwait(false);
        }

        Func<double, double>? target = mode switch
        {
            "leak" when options.TryGetValue("--mb-per-minute", out var rate) => t => rate * Megabyte * t / 60,
            "steady" when options.TryGetValue("--mb", out var mb) => _ => mb * Megabyte,
            "plateau" when options.TryGetValue("--mb", out var mb) && options.TryGetValue("--seconds", out var s) && s > 0 =>
                t => mb * Megabyte * Math.Min(1, t / s),
            "sawtooth" when options.TryGetValue("--mb", out var mb) && options.TryGetValue("--period", out var p) && p > 0 =>
                t => mb * Megabyte * (t % p) / p,
            _ => null,
        };
        if (target is null)
        {
            return Usage($"mode '{mode}' with these options");
        }

        // The most any mode touches: the leak's total over its lifetime, the others' --mb.
        var most = mode == "leak" ? target(lifetime) : options["--mb"] * Megabyte;
        var size = Math.Max(MinReservation, (long)most + (4L << 20));
        var block = Reserve(size);
        var pageSize = Environment.SystemPageSize;
        var start = (block + pageSize - 1) & ~(long)(pageSize - 1);
        var usable = block + size - start;
        long touched = 0;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}"));
        var clock = TimeProvider.System;

        // Let the runtime finish starting (JIT, thread pool, timers) before the shape begins, so its own growth
        // does not count as the shape's.
        Touch(start, 0, 0, pageSize);
        _ = Madvise((nint)start, 0, MadviseDontNeed);
        await Task.Delay(Settle, clock).ConfigureAwait(false);
        var began = clock.GetTimestamp();
        var ready = false;
        for (var step = 0L; ; step++)
        {
            var elapsed = clock.GetElapsedTime(began).TotalSeconds;
            if (elapsed >= lifetime)
            {
                break;
            }

            var want = Math.Min(usable, (long)target(elapsed)) / pageSize * pageSize;
            if (want < touched)
            {
                _ = Madvise((nint)start, (nuint)touched, MadviseDontNeed);
                touched = 0;
            }

            Touch(start, touched, want, pageSize);

            touched = Math.Max(touched, want);
            if (!ready)
            {
                Console.WriteLine("ready");
                ready = true;
            }

            // Steps are due on a fixed grid so a slow step does not stretch the schedule.
            var due = Step * (step + 1);
            var wait = due - clock.GetElapsedTime(began);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock).ConfigureAwait(false);
            }
        }

        Release(block);
        return 0;
    }

    private static unsafe long Reserve(long size) => (long)NativeMemory.Alloc((nuint)size);

    private static unsafe void Release(long block) => NativeMemory.Free((void*)block);

    /// <summary>Writes one byte in every page of [from, to) so the kernel backs it: the resident set grows by exactly that.</summary>
    private static unsafe void Touch(long start, long from, long to, int pageSize)
    {
        for (var at = from; at < to; at += pageSize)
        {
            ((byte*)start)[at] = 1;
        }
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"Opsmon.TestLeaker: {problem}. Modes: leak --mb-per-minute R | managed-leak --mb-per-minute R | steady --mb M | plateau --mb M --seconds S | sawtooth --mb M --period S; all take --lifetime SECONDS.");
        return 2;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
