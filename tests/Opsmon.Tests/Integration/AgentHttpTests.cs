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
