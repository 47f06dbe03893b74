using System.Diagnostics;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>The Prometheus HTTP API of a running agent, as Grafana and other clients call it.</summary>
public sealed class PrometheusApiTests : IAsyncLifetime
{
    private readonly int _port = RunningProcess.FreePort();
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("opsmon-api-");
    private readonly HttpClient _client = new();
    private RunningProcess? _agent;

    private string Url(string path) => $"http://127.0.0.1:{_port}{path}";

    public async Task InitializeAsync()
    {
        _agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{_port}", "--data", _data.FullName, "--interval", "1s");
        await _agent.WaitForHttpAsync(Url("/-/ready"));
        // Wait until the store holds a few collections.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (_, body) = await Json.GetAsync(_client, Url("/api/v1/query?query=count_over_time(node_load1[1m])"));
            var result = body.GetProperty("data").GetProperty("result");
            if (result.GetArrayLength() == 1 && double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 3)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("the agent stored no collections within 30 s:\n" + _agent.Output);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _data.Delete(recursive: true);
    }

    [Fact]
    public async Task Grafana_save_and_test_POSTs_1_plus_1_then_reads_buildinfo()
    {
        var (status, body) = await Json.PostFormAsync(_client, Url("/api/v1/query"), ("query", "1+1"), ("time", "4"));

        Assert.Equal(200, status);
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.Equal("scalar", body.GetProperty("data").GetProperty("resultType").GetString());
        Assert.Equal(4, body.GetProperty("data").GetProperty("result")[0].GetDouble());
        Assert.Equal("2", body.GetProperty("data").GetProperty("result")[1].GetString());

        var (infoStatus, info) = await Json.GetAsync(_client, Url("/api/v1/status/buildinfo"));
        Assert.Equal(200, infoStatus);
        Assert.False(string.IsNullOrEmpty(info.GetProperty("data").GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Instant_query_returns_a_vector_of_stored_series()
    {
        var (status, body) = await Json.GetAsync(_client, Url("/api/v1/query?query=node_load1"));

        Assert.Equal(200, status);
        var data = body.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var sample = Assert.Single(data.GetProperty("result").EnumerateArray());
        Assert.Equal("node_load1", sample.GetProperty("metric").GetProperty("__name__").GetString());
        Assert.Equal(JsonValueKind.String, sample.GetProperty("value")[1].ValueKind);
    }

    [Fact]
    public async Task Range_query_returns_a_matrix_with_one_point_per_step()
    {
        var end = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var (status, body) = await Json.PostFormAsync(_client, Url("/api/v1/query_range"),
            ("query", "node_load1"), ("start", (end - 10).ToString(System.Globalization.CultureInfo.InvariantCulture)), ("end", end.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("step", "1s"));

        Assert.Equal(200, status);
        var data = body.GetProperty("data");
        Assert.Equal("matrix", data.GetProperty("resultType").GetString());
        var values = Assert.Single(data.GetProperty("result").EnumerateArray()).GetProperty("values");
        Assert.InRange(values.GetArrayLength(), 3, 11);
    }

    [Fact]
    public async Task Parse_errors_are_400_bad_data_with_a_position()
    {
        var (status, body) = await Json.GetAsync(_client, Url("/api/v1/query?query=sum(node_load1"));

        Assert.Equal(400, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.Matches(@"^\d+:\d+: parse error", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Series_labels_and_label_values_list_what_is_stored()
    {
        var (seriesStatus, series) = await Json.GetAsync(_client, Url("/api/v1/series?match[]=node_load1"));
        var (_, labels) = await Json.GetAsync(_client, Url("/api/v1/labels"));
        var (_, names) = await Json.GetAsync(_client, Url("/api/v1/label/__name__/values"));
        var (missingStatus, missing) = await Json.GetAsync(_client, Url("/api/v1/series"));

        Assert.Equal(200, seriesStatus);
        Assert.Equal("node_load1", Assert.Single(series.GetProperty("data").EnumerateArray()).GetProperty("__name__").GetString());
        Assert.Contains("__name__", labels.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("node_load1", names.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(400, missingStatus);
        Assert.Equal("bad_data", missing.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task Metadata_gives_type_and_help_of_collected_families()
    {
        var (status, body) = await Json.GetAsync(_client, Url("/api/v1/metadata?limit=40000"));

        Assert.Equal(200, status);
        var load = body.GetProperty("data").GetProperty("node_load1")[0];
        Assert.Equal("gauge", load.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(load.GetProperty("help").GetString()));
    }

    [Fact]
    public async Task Runtimeinfo_and_exemplars_answer_in_the_envelope()
    {
        var (runtimeStatus, runtime) = await Json.GetAsync(_client, Url("/api/v1/status/runtimeinfo"));
        var (exemplarStatus, exemplars) = await Json.GetAsync(_client, Url("/api/v1/query_exemplars?query=node_load1&start=0&end=1"));

        Assert.Equal(200, runtimeStatus);
        Assert.Equal("30d", runtime.GetProperty("data").GetProperty("storageRetention").GetString());
        Assert.Equal(200, exemplarStatus);
        Assert.Equal(0, exemplars.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Query_command_with_url_asks_the_running_agent_and_the_locked_store_says_why()
    {
        var viaUrl = await CliRun.RunAsync("query", "node_load1", "--url", $"http://127.0.0.1:{_port}");
        var viaData = await CliRun.RunAsync("query", "node_load1", "--data", _data.FullName);

        Assert.True(viaUrl.ExitCode == 0, viaUrl.Stderr);
        Assert.StartsWith("node_load1{} => ", viaUrl.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, viaData.ExitCode);
        Assert.Contains("in use by another opsmon process", viaData.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_from_the_agent_url_analyses_its_history()
    {
        var result = await CliRun.RunAsync("doctor", "--from", $"http://127.0.0.1:{_port}", "--window", "1m", "--json");

        Assert.True(result.ExitCode is 0 or 1 or 2, result.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(result.ExitCode, doc.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal(60, doc.RootElement.GetProperty("window").GetProperty("durationSeconds").GetDouble(), 0.5);
        Assert.Contains(doc.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("id").GetString()!.StartsWith("cpu.", StringComparison.Ordinal));
    }
}
