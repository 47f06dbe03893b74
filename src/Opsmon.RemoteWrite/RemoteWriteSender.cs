using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Opsmon.Core.Metrics;
using Opsmon.Core.Series;

namespace Opsmon.RemoteWrite;

/// <summary>
/// Ships the store's samples to a remote-write receiver. It reads from the store itself (through IQuerier)
/// from a durable watermark: everything up to the watermark has been accepted by the receiver. A restart or a
/// receiver that is down therefore loses nothing while the data is still within the store's retention.
/// 5xx, 429 and network errors are retried with exponential backoff; other 4xx answers drop the batch and count it.
/// </summary>
public sealed class RemoteWriteSender
{
    private static readonly IReadOnlyList<LabelMatcher> AllSeries = [new LabelMatcher(MatcherType.Regex, Labels.MetricName, ".+")];

    private readonly RemoteWriteOptions _options;
    private readonly IQuerier _store;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _progressFile;
    private long _watermark;
    private long _sent;
    private long _failed;
    private long _dropped;
    private long _pending;
    private long _requests;

    public RemoteWriteSender(RemoteWriteOptions options, IQuerier store, HttpClient http, string stateDirectory, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _http = http;
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(stateDirectory);
        var safe = string.Concat(options.EffectiveName.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
        _progressFile = Path.Combine(stateDirectory, safe + ".watermark");
        _watermark = LoadWatermark();
    }

    /// <summary>The newest timestamp (ms) the receiver has accepted (or that was dropped as unacceptable).</summary>
    public long Watermark => Interlocked.Read(ref _watermark);

    public long SamplesSent => Interlocked.Read(ref _sent);

    public long SamplesFailed => Interlocked.Read(ref _failed);

    public long SamplesDropped => Interlocked.Read(ref _dropped);

    private long Newest => _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.CommitMargin.TotalMilliseconds;

    /// <summary>Whether the sender is behind by more than one round's span (after an outage): then rounds run back to back.</summary>
    private bool CatchingUp => Newest - Watermark > (long)_options.MaxRoundSpan.TotalMilliseconds;

    /// <summary>Runs send rounds until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await SendPendingAsync(cancellationToken).ConfigureAwait(false);
                if (!CatchingUp)
                {
                    await Task.Delay(_options.SendInterval, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One round: sends every sample in (watermark, now - margin], retrying until the receiver accepts it or
    /// the token is cancelled, then advances and persists the watermark. Returns the samples sent.
    /// </summary>
    public async Task<long> SendPendingAsync(CancellationToken cancellationToken)
    {
        var from = Watermark;
        var upTo = Math.Min(Newest, from + (long)_options.MaxRoundSpan.TotalMilliseconds);
        if (upTo <= from)
        {
            return 0;
        }

        // Select is inclusive; the watermark itself was already sent.
        var shards = new List<WriteSeries>[_options.Shards];
        for (var i = 0; i < shards.Length; i++)
        {
            shards[i] = [];
        }

        long total = 0;
        foreach (var series in _store.Select(from + 1, upTo, AllSeries))
        {
            var samples = new List<WriteSample>();
            var it = series.Samples();
            while (it.MoveNext())
            {
                if (it.Timestamp > from && it.Timestamp <= upTo)
                {
                    samples.Add(new WriteSample(it.Timestamp, it.Value));
                }
            }

            if (samples.Count > 0)
            {
                shards[(series.Labels.GetHashCode() & int.MaxValue) % shards.Length].Add(new WriteSeries(series.Labels, samples));
                total += samples.Count;
            }
        }

        Interlocked.Exchange(ref _pending, total);
        await Task.WhenAll(shards.Select(s => SendShardAsync(s, cancellationToken))).ConfigureAwait(false);
        Interlocked.Exchange(ref _pending, 0);
        Interlocked.Exchange(ref _watermark, upTo);
        SaveWatermark(upTo);
        return total;
    }

    private async Task SendShardAsync(List<WriteSeries> series, CancellationToken cancellationToken)
    {
        foreach (var batch in Batches(series, _options.MaxSamplesPerSend))
        {
            await SendBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cuts series into requests of at most <paramref name="max"/> samples, splitting a long series across requests in order.</summary>
    internal static IEnumerable<List<WriteSeries>> Batches(List<WriteSeries> series, int max)
    {
        var batch = new List<WriteSeries>();
        var count = 0;
        foreach (var s in series)
        {
            var offset = 0;
            while (offset < s.Samples.Count)
            {
                var take = Math.Min(max - count, s.Samples.Count - offset);
                batch.Add(offset == 0 && take == s.Samples.Count ? s : new WriteSeries(s.Labels, [.. s.Samples.Skip(offset).Take(take)]));
                offset += take;
                count += take;
                if (count >= max)
                {
                    yield return batch;
                    batch = [];
                    count = 0;
                }
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task SendBatchAsync(List<WriteSeries> batch, CancellationToken cancellationToken)
    {
        var samples = batch.Sum(s => s.Samples.Count);
        var body = WriteRequestCodec.EncodeCompressed(batch);
        var backoff = _options.MinBackoff;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                request.Content.Headers.ContentEncoding.Add("snappy");
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("opsmon", "0.1"));
                request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
                foreach (var (name, value) in _options.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.Timeout);
                using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _requests);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref _sent, samples);
                    return;
                }

                var code = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (code is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    // The receiver will never take this batch (bad labels, out of order, too old): retrying would block the queue.
                    Interlocked.Add(ref _dropped, samples);
                    _logger.LogWarning("Remote write to {Url} rejected {Samples} samples with {Status}: {Body}", _options.Url, samples, code, Truncate(text));
                    return;
                }

                failure = $"HTTP {code}: {Truncate(text)}";
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"timed out after {_options.Timeout}";
            }

            Interlocked.Add(ref _failed, samples);
            _logger.LogDebug("Remote write to {Url} failed ({Failure}); retrying in {Backoff}", _options.Url, failure, backoff);
            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    /// <summary>opsmon_remote_write_* families for /metrics.</summary>
    public void WriteMetrics(MetricSink sink)
    {
        var name = _options.EffectiveName;
        var url = _options.Url.ToString();
        sink.Family("opsmon_remote_write_samples_sent_total", "Samples the remote-write receiver accepted.", MetricType.Counter, "remote", "url").Add(SamplesSent, name, url);
        sink.Family("opsmon_remote_write_samples_failed_total", "Samples in sends that failed and were retried.", MetricType.Counter, "remote", "url").Add(SamplesFailed, name, url);
        sink.Family("opsmon_remote_write_samples_dropped_total", "Samples the receiver rejected with a 4xx and that were dropped.", MetricType.Counter, "remote", "url").Add(SamplesDropped, name, url);
        sink.Family("opsmon_remote_write_samples_pending", "Samples selected for the current round and not yet accepted.", MetricType.Gauge, "remote", "url").Add(Interlocked.Read(ref _pending), name, url);
        sink.Family("opsmon_remote_write_requests_total", "Remote-write requests that got an answer.", MetricType.Counter, "remote", "url").Add(Interlocked.Read(ref _requests), name, url);
        var lag = (_time.GetUtcNow().ToUnixTimeMilliseconds() - Watermark) / 1000.0;
        sink.Family("opsmon_remote_write_lag_seconds", "How far the newest accepted sample is behind now.", MetricType.Gauge, "remote", "url").Add(lag, name, url);
        sink.Family("opsmon_remote_write_highest_sent_timestamp_seconds", "Timestamp up to which every sample has been accepted.", MetricType.Gauge, "remote", "url").Add(Watermark / 1000.0, name, url);
    }

    private long LoadWatermark()
    {
        var initial = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.InitialLookback.TotalMilliseconds;
        try
        {
            var text = File.ReadAllText(_progressFile).Trim();
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : initial;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return initial;
        }
    }

    private void SaveWatermark(long value)
    {
        try
        {
            var temp = _progressFile + ".tmp";
            File.WriteAllText(temp, value.ToString(CultureInfo.InvariantCulture));
            File.Move(temp, _progressFile, overwrite: true);
        }
        catch (IOException e)
        {
            // Losing the progress file only means resending samples the receiver already has.
            _logger.LogWarning("Cannot save remote-write progress to {File}: {Message}", _progressFile, e.Message);
        }
    }

    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
