using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Opsmon.Core.Series;

namespace Opsmon.RemoteWrite.Tests;

/// <summary>The sender against a receiver on loopback that answers with the status codes a test chooses.</summary>
public sealed class RemoteWriteSenderTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Queue<int> _answers = new();
    private readonly List<(Dictionary<string, string?> Headers, List<WriteSeries> Series)> _received = [];
    private readonly string _url;
    private readonly string _state = Directory.CreateTempSubdirectory("opsmon-rw-").FullName;
    private readonly FixedTime _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));

    public RemoteWriteSenderTests()
    {
        var port = FreePort();
        _url = $"http://127.0.0.1:{port}/api/v1/write";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            int status;
            lock (_answers)
            {
                status = _answers.Count > 0 ? _answers.Dequeue() : 204;
                if (status < 300 && WriteRequestCodec.TryDecodeCompressed(body.ToArray(), out var series, out _))
                {
                    var headers = context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]);
                    _received.Add((headers, series));
                }
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    private RemoteWriteSender Sender(TestStore store, TimeSpan? maxBackoff = null) => new(
        new RemoteWriteOptions { Url = new Uri(_url), Shards = 1, InitialLookback = TimeSpan.FromSeconds(100), CommitMargin = TimeSpan.Zero, MinBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = maxBackoff ?? TimeSpan.FromMilliseconds(5) },
        store,
        new HttpClient(),
        _state,
        _time,
        NullLogger.Instance);

    private static TestStore Store() => new TestStore()
        .Add(Labels.From(("__name__", "a"), ("job", "x")), (950_000, 1), (965_000, 2), (980_000, 3))
        .Add(Labels.From(("__name__", "b")), (990_000, 7));

    [Fact]
    public async Task A_round_sends_every_new_sample_with_the_protocol_headers()
    {
        var sender = Sender(Store());

        var sent = await sender.SendPendingAsync(CancellationToken.None);

        Assert.Equal(4, sent);
        var (headers, series) = Assert.Single(_received);
        Assert.Equal("snappy", headers["Content-Encoding"]);
        Assert.Equal("application/x-protobuf", headers["Content-Type"]);
        Assert.Equal("0.1.0", headers["X-Prometheus-Remote-Write-Version"]);
        Assert.StartsWith("opsmon/", headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal([1.0, 2, 3], series.Single(s => s.Labels.Name == "a").Samples.Select(s => s.Value));
        Assert.Equal(1_000_000, sender.Watermark);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_the_receiver_accepts()
    {
        lock (_answers)
        {
            _answers.Enqueue(503);
            _answers.Enqueue(500);
        }

        var sender = Sender(Store());

        await sender.SendPendingAsync(CancellationToken.None);

        Assert.Single(_received);
        Assert.Equal(4, sender.SamplesSent);
        Assert.Equal(8, sender.SamplesFailed);
    }

    [Fact]
    public async Task Client_errors_drop_the_batch_and_count_it()
    {
        lock (_answers)
        {
            _answers.Enqueue(400);
        }

        var sender = Sender(Store());

        await sender.SendPendingAsync(CancellationToken.None);

        Assert.Empty(_received);
        Assert.Equal(4, sender.SamplesDropped);
        Assert.Equal(1_000_000, sender.Watermark);
    }

    [Fact]
    public async Task The_watermark_survives_a_restart_so_nothing_is_sent_twice_or_lost()
    {
        await Sender(Store()).SendPendingAsync(CancellationToken.None);
        _time.Set(DateTimeOffset.FromUnixTimeMilliseconds(1_020_000));
        var store = Store().Add(Labels.From(("__name__", "c")), (1_010_000, 9));

        var restarted = Sender(store);
        var sent = await restarted.SendPendingAsync(CancellationToken.None);

        Assert.Equal(1, sent);
        Assert.Equal(9, _received[^1].Series.Single().Samples.Single().Value);
    }

    [Fact]
    public async Task Metrics_report_sent_dropped_and_lag()
    {
        var sender = Sender(Store());
        await sender.SendPendingAsync(CancellationToken.None);
        _time.Set(DateTimeOffset.FromUnixTimeMilliseconds(1_030_000));

        var sink = new Opsmon.Core.Metrics.MetricSink();
        sender.WriteMetrics(sink);

        Assert.Equal(4, sink.Families.Single(f => f.Name == "opsmon_remote_write_samples_sent_total").Samples.Single().Value);
        Assert.Equal(30, sink.Families.Single(f => f.Name == "opsmon_remote_write_lag_seconds").Samples.Single().Value);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        Directory.Delete(_state, recursive: true);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A clock the test sets; timers (Task.Delay backoff) run on real time so retries still progress.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public void Set(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;
}
