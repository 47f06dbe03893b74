using Opsmon.Tests.Support;

namespace Opsmon.Tests.Commands;

/// <summary>`opsmon import` backfills OpenMetrics files; `opsmon query` and `query-range` read them back.</summary>
public sealed class ImportQueryCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-import-");

    private string Data => Path.Combine(_dir.FullName, "data");

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Imported_samples_are_queryable_at_their_timestamps()
    {
        var file = WriteFile("ok.om", """
            # TYPE http_requests counter
            http_requests_total{code="200"} 10 1700000000
            http_requests_total{code="200"} 25 1700000015
            http_requests_total{code="500"} 1 1700000015
            # EOF

            """);

        var import = await CliRun.RunAsync("import", file, "--data", Data);
        var instant = await CliRun.RunAsync("query", "http_requests_total", "--time", "1700000015", "--data", Data);
        var range = await CliRun.RunAsync("query-range", "sum(http_requests_total)", "--start", "1700000000", "--end", "1700000015", "--step", "15s", "--data", Data);

        Assert.True(import.ExitCode == 0, import.Stderr);
        Assert.Contains("3 samples", import.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, instant.ExitCode);
        Assert.Contains("http_requests_total{code=\"200\"} => 25 @[1700000015]", instant.Stdout, StringComparison.Ordinal);
        Assert.Contains("http_requests_total{code=\"500\"} => 1 @[1700000015]", instant.Stdout, StringComparison.Ordinal);
        Assert.Equal("{} =>\n10 @[1700000000]\n26 @[1700000015]\n", range.Stdout);
    }

    [Fact]
    public async Task A_file_with_an_error_is_rejected_whole_with_its_line_number()
    {
        var file = WriteFile("bad.om", """
            # TYPE m gauge
            m 1 1700000000
            m oops 1700000015
            # EOF

            """);

        var import = await CliRun.RunAsync("import", file, "--data", Data);
        var query = await CliRun.RunAsync("query", "m", "--time", "1700000000", "--data", Data);

        Assert.Equal(1, import.ExitCode);
        Assert.Contains($"{file}:3:", import.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, query.ExitCode);
        Assert.Equal("", query.Stdout);
    }

    [Fact]
    public async Task Query_with_a_parse_error_exits_2_with_the_position()
    {
        Directory.CreateDirectory(Data);

        var result = await CliRun.RunAsync("query", "rate(x[5m]", "--data", Data);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("bad_data: 1:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_json_prints_the_api_data()
    {
        Directory.CreateDirectory(Data);

        var result = await CliRun.RunAsync("query", "vector(3)", "--time", "100", "--json", "--data", Data);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"resultType\": \"vector\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"3\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promql_test_runs_scripts_and_prints_the_counts()
    {
        var script = WriteFile("t.test", """
            load 1m
              up{job="a"} 1 1 0

            eval instant at 2m up
              up{job="a"} 0

            eval instant at 2m up
              up{job="a"} 1

            """);

        var result = await CliRun.RunAsync("promql-test", script);

        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith("1 passed, 1 failed\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{script}:7", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_with_a_url_that_is_not_http_exits_2()
    {
        var result = await CliRun.RunAsync("query", "up", "--url", "ftp://127.0.0.1:9184");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--url", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
