using System.IO.Compression;
using System.Net.Http.Headers;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>The agent as a user runs it: `opsmon run`, then HTTP on loopback.</summary>
public sealed class AgentHttpTests : IAsyncLifetime
{
    private readonly int _port = RunningProcess.FreePort();
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("opsmon-http-");
    private RunningProcess? _agent;

    private string Url(string path) => $"http://127.0.0.1:{_port}{path}";

    public async Task InitializeAsync()
    {
        _agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{_port}", "--data", _data.FullName);
        await _agent.WaitForHttpAsync(Url("/-/healthy"));
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _data.Delete(recursive: true);
    }

    [Fact]
    public async Task Metrics_are_served_in_the_text_format_by_default_and_parse_strictly()
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync(Url("/metrics"));

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var families = Exposition.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("opsmon_scrape_collector_success", families.Keys);
        Assert.All(families["opsmon_scrape_collector_success"].Samples, s => Assert.True(s.Labels.ContainsKey("collector")));
    }

    [Fact]
    public async Task The_agent_publishes_its_own_process_and_runtime_figures_as_client_libraries_do()
    {
        using var client = new HttpClient();
        var families = Exposition.Parse(await client.GetStringAsync(Url("/metrics")));
        var status = await File.ReadAllLinesAsync($"/proc/{_agent!.Pid}/status");
        var rssKb = double.Parse(status.Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);
        double Value(string name) => Assert.Single(families[name].Samples).Value;

        // Resident memory moves between the scrape and our read of /proc, but not by half.
        Assert.InRange(Value("process_resident_memory_bytes"), rssKb * 1024 * 0.5, rssKb * 1024 * 1.5);
        Assert.InRange(Value("process_start_time_seconds"), TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 600, TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        Assert.True(Value("process_cpu_seconds_total") > 0);
        Assert.True(Value("process_virtual_memory_bytes") > Value("process_resident_memory_bytes"));
        Assert.InRange(Value("process_open_fds"), 4, Value("process_max_fds"));
        Assert.Equal(["0", "1", "2"], families["dotnet_collection_count_total"].Samples.Select(s => s.Labels["generation"]).Order(StringComparer.Ordinal));
        Assert.Equal("counter", families["dotnet_gc_allocated_bytes_total"].Type);
        Assert.True(Value("dotnet_gc_allocated_bytes_total") >= Value("dotnet_total_memory_bytes"));
        Assert.True(Value("dotnet_gc_committed_bytes") > 0);
    }

    [Fact]
    public async Task Once_quiet_the_agent_gives_its_spare_heap_back()
    {
        using var client = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            await client.GetStringAsync(Url("/metrics")); // a burst: several MB of garbage, no trim in the middle of it
        }

        Dictionary<string, ParsedFamily>? families = null;
        for (var poll = 0; poll < 20; poll++)
        {
            await Task.Delay(1500); // quiet periods between the reads
            families = Exposition.Parse(await client.GetStringAsync(Url("/metrics")));
            if (families["opsmon_memory_trims_total"].Samples[0].Value >= 1)
            {
                break;
            }
        }

        double Value(string name) => Assert.Single(families![name].Samples).Value;
        Assert.True(Value("opsmon_memory_trims_total") >= 1);
        // Right after a trim the GC holds about what is live; a young-generation budget would be several MB more.
        Assert.True(Value("dotnet_gc_committed_bytes") < Value("dotnet_total_memory_bytes") + 4 * 1024 * 1024,
            $"committed {Value("dotnet_gc_committed_bytes")}, live and young {Value("dotnet_total_memory_bytes")}");
    }

    [Fact]
    public async Task OpenMetrics_is_served_when_the_client_accepts_it()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/metrics"));
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("application/openmetrics-text; version=1.0.0", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" untyped\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_are_gzipped_when_the_client_asks()
    {
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None });
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/metrics"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await client.SendAsync(request);

        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
        await using var unzipped = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(unzipped);
        var families = Exposition.Parse(await reader.ReadToEndAsync());
        Assert.Contains("opsmon_scrape_collector_duration_seconds", families.Keys);
    }

    [Fact]
    public async Task Health_and_readiness_answer_200()
    {
        using var client = new HttpClient();

        Assert.True((await client.GetAsync(Url("/-/healthy"))).IsSuccessStatusCode);
        Assert.True((await client.GetAsync(Url("/-/ready"))).IsSuccessStatusCode);
    }
}
