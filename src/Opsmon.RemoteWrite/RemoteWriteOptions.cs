namespace Opsmon.RemoteWrite;

/// <summary>One remote-write destination (Prometheus, VictoriaMetrics, Mimir) and how to send to it.</summary>
public sealed record RemoteWriteOptions
{
    public required Uri Url { get; init; }

    /// <summary>A short name for metrics and the progress file; defaults to the URL's host and port.</summary>
    public string? Name { get; init; }

    /// <summary>Samples per request (Prometheus's max_samples_per_send default).</summary>
    public int MaxSamplesPerSend { get; init; } = 2000;

    /// <summary>Parallel senders; each series always goes to the same shard so its samples stay in order.</summary>
    public int Shards { get; init; } = 2;

    /// <summary>How often the sender looks for new samples.</summary>
    public TimeSpan SendInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Samples newer than now minus this are left for the next round, so a scrape being committed is never split.</summary>
    public TimeSpan CommitMargin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this much data per round, so catching up after a long outage never loads it all into memory.</summary>
    public TimeSpan MaxRoundSpan { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(30);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>On first start (no progress file), how far back to begin sending.</summary>
    public TimeSpan InitialLookback { get; init; } = TimeSpan.FromMinutes(5);

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public string EffectiveName => Name ?? $"{Url.Host}:{Url.Port}";
}
