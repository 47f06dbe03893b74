using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Opsmon.Core.Series;

namespace Opsmon.Analysis.Leaks;

/// <summary>
/// Reads the GC heap size and the gen2 size of the .NET processes on this machine while doctor samples it,
/// over the diagnostics IPC socket each .NET process publishes (/tmp/dotnet-diagnostic-PID-*-socket): an
/// EventPipe session with the "System.Runtime" EventCounters at a 1 s interval. The leak check uses these
/// series to tell managed growth (the GC heap grows with the process) from native growth (it stays flat).
/// Best effort: a process that exits, refuses or is too slow is left out, and nothing here fails doctor.
/// </summary>
public sealed class ManagedHeapSampler : IAsyncDisposable
{
    public const string GcHeapMetric = "opsmon_dotnet_gc_heap_size_bytes";
    public const string Gen2Metric = "opsmon_dotnet_gc_gen2_size_bytes";

    private const string GcHeapCounter = "gc-heap-size";
    private const string Gen2Counter = "gen-2-size";

    // Sessions cost the target a little and us a socket and a reader each; the newest processes are the likeliest leakers.
    private const int MaxProcesses = 32;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromMilliseconds(500);

    private readonly List<Session> _sessions = [];
    private readonly TimeProvider _time;

    private ManagedHeapSampler(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>The processes a session was started with.</summary>
    public IReadOnlyList<int> Pids => [.. _sessions.Select(static s => s.Pid)];

    /// <summary>
    /// Starts a session with every published .NET process but this one (at most <see cref="MaxProcesses"/>,
    /// newest first), spending at most <paramref name="budget"/> on connecting; returns at once when there is none.
    /// </summary>
    public static async Task<ManagedHeapSampler> StartAsync(TimeProvider time, TimeSpan budget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var sampler = new ManagedHeapSampler(time);
        IEnumerable<int> published;
        try
        {
            published = DiagnosticsClient.GetPublishedProcesses();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return sampler;
        }

        var self = Environment.ProcessId;
        // A runtime that crashed leaves its socket behind; only live processes are worth a connection.
        var pids = published.Where(p => p != self && Directory.Exists("/proc/" + p.ToString(CultureInfo.InvariantCulture))).Distinct().OrderDescending().Take(MaxProcesses).ToList();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(budget);
        var started = await Task.WhenAll(pids.Select(pid => Session.StartAsync(pid, time, deadline.Token))).ConfigureAwait(false);
        sampler._sessions.AddRange(started.OfType<Session>());
        return sampler;
    }

    /// <summary>Stops every session (each within half a second) and appends what they read as two gauges per process.</summary>
    public async Task StopAndAppendAsync(IAppender appender)
    {
        ArgumentNullException.ThrowIfNull(appender);
        await Task.WhenAll(_sessions.Select(static s => s.StopAsync())).ConfigureAwait(false);
        foreach (var session in _sessions)
        {
            var name = ProcessName(session.Pid);
            var pid = session.Pid.ToString(CultureInfo.InvariantCulture);
            (long Timestamp, double Value)[] gcHeap, gen2;
            lock (session.GcHeap)
            {
                gcHeap = [.. session.GcHeap];
                gen2 = [.. session.Gen2];
            }

            foreach (var (metric, samples) in new[] { (GcHeapMetric, gcHeap), (Gen2Metric, gen2) })
            {
                var labels = Labels.From((Labels.MetricName, metric), ("name", name), ("pid", pid));
                var last = long.MinValue;
                foreach (var (timestamp, value) in samples)
                {
                    // One sample per millisecond at most: the store keeps the first.
                    if (timestamp > last)
                    {
                        appender.Append(labels, timestamp, value);
                        last = timestamp;
                    }
                }
            }
        }

        appender.Commit();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_sessions.Select(static s => s.StopAsync())).ConfigureAwait(false);
    }

    private static string ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/comm").TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private sealed class Session
    {
        private readonly EventPipeSession _session;
        private readonly Task _reader;
        private Task? _stopping;

        private Session(int pid, EventPipeSession session, TimeProvider time)
        {
            Pid = pid;
            _session = session;
            _reader = Task.Run(() => ReadAsync(session.EventStream, time));
        }

        public int Pid { get; }

        public List<(long Timestamp, double Value)> GcHeap { get; } = [];

        public List<(long Timestamp, double Value)> Gen2 { get; } = [];

        public static async Task<Session?> StartAsync(int pid, TimeProvider time, CancellationToken cancellationToken)
        {
            try
            {
                var client = new DiagnosticsClient(pid);
                var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, 0,
                    new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" });
                var session = await client.StartEventPipeSessionAsync([provider], requestRundown: false, circularBufferMB: 4, cancellationToken).ConfigureAwait(false);
                return new Session(pid, session, time);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Gone, not a .NET process after all, a runtime that refuses, or out of time: doctor goes on without it.
                return null;
            }
        }

        public Task StopAsync() => _stopping ??= StopCoreAsync();

        private async Task StopCoreAsync()
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _session.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The process may have exited; the data read so far stands.
            }

            _session.Dispose();
            await Task.WhenAny(_reader, Task.Delay(StopTimeout, CancellationToken.None)).ConfigureAwait(false);
        }

        private async Task ReadAsync(Stream stream, TimeProvider time)
        {
            var scanner = new CounterPayloadScanner(GcHeapCounter, Gen2Counter);
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                    scanner.Feed(buffer.AsSpan(0, read), (name, value) =>
                    {
                        lock (GcHeap)
                        {
                            // gc-heap-size is published in MB (10^6 bytes), gen-2-size in bytes.
                            if (name == GcHeapCounter)
                            {
                                GcHeap.Add((now, value * 1e6));
                            }
                            else
                            {
                                Gen2.Add((now, value));
                            }
                        }
                    });
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The session ended under the reader.
            }
        }
    }
}
