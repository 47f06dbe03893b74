using System.Diagnostics;
using System.Globalization;
using System.Text;
using Opsmon.Query;
using Opsmon.Storage;
using Opsmon.Tests.Support;
using Xunit.Abstractions;

namespace Opsmon.Tests.Compliance;

/// <summary>
/// The same OpenMetrics data imported into Opsmon and into Debian's Prometheus, the same query corpus asked of
/// both: Opsmon must give Prometheus's answers (the bar the PromQL compliance tester sets).
/// </summary>
public sealed class PrometheusComplianceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const double RequiredShare = 0.99;
    private const long StepMs = 45_000;

    // A finer, unaligned step around the minute batch_jobs_running{instance="a"} stops (80 min in), where lookback and staleness decide.
    private const long FineStepMs = 7_000;
    private const long FineStartMs = (ComplianceData.StartSeconds + (70 * 60) + 3) * 1000;
    private const long FineEndMs = (ComplianceData.StartSeconds + (95 * 60)) * 1000;

    private static readonly long[] InstantTimesMs =
    [
        (ComplianceData.StartSeconds + 3607) * 1000,
        (ComplianceData.EndSeconds + 120) * 1000,
    ];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-compliance-");
    private readonly int _port = RunningProcess.FreePort();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RunningProcess? _prometheus;
    private Tsdb? _store;

    private string OpsmonData => Path.Combine(_dir.FullName, "opsmon");

    private string PrometheusData => Path.Combine(_dir.FullName, "prometheus");

    private string Url(string path) => $"http://127.0.0.1:{_port}{path}";

    public async Task InitializeAsync()
    {
        var promtool = Tools.Require("promtool");
        var prometheus = Tools.Require("prometheus");
        var file = Path.Combine(_dir.FullName, "data.om");
        await File.WriteAllTextAsync(file, ComplianceData.Generate());

        var import = await CliRun.RunAsync("import", file, "--data", OpsmonData);
        Assert.True(import.ExitCode == 0, "opsmon import failed: " + import.Stderr);

        await using (var create = RunningProcess.Start(promtool, ["tsdb", "create-blocks-from", "openmetrics", file, PrometheusData]))
        {
            var code = await create.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 0, "promtool tsdb create-blocks-from openmetrics failed:\n" + create.Output);
        }

        var config = Path.Combine(_dir.FullName, "prometheus.yml");
        // Subqueries without a step use the evaluation interval; Opsmon's default is Prometheus's default, 1m.
        await File.WriteAllTextAsync(config, "global:\n  evaluation_interval: 1m\n");
        _prometheus = RunningProcess.Start(prometheus,
        [
            $"--config.file={config}",
            $"--storage.tsdb.path={PrometheusData}",
            // The data is from 2026-01-01: without a long retention Prometheus would delete it at start.
            "--storage.tsdb.retention.time=100y",
            $"--web.listen-address=127.0.0.1:{_port}",
        ]);
        await _prometheus.WaitForHttpAsync(Url("/-/ready"), TimeSpan.FromSeconds(60));
        _store = Tsdb.Open(new TsdbOptions(OpsmonData));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _store?.Dispose();
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Both_stores_serve_all_50_imported_series_of_8_names()
    {
        const string Query = "count by (__name__) ({__name__=~\".+\"})";
        var at = (ComplianceData.StartSeconds + 3600) * 1000;

        var ours = ComparableResult.FromOpsmon(new QueryEngine(_store!).InstantQuery(Query, at));
        var theirs = await PrometheusInstantAsync(Query, at);

        Assert.Equal("vector", theirs.Type);
        Assert.Equal(8, theirs.Series.Count);
        Assert.Equal(50, theirs.Series.Sum(s => s.Points[0].V));
        Assert.Null(ComparableResult.Difference(ours, theirs, ordered: false));
    }

    [Fact]
    public async Task Query_corpus_agrees_with_prometheus()
    {
        var engine = new QueryEngine(_store!);
        var start = (ComplianceData.StartSeconds - 120) * 1000;
        var end = (ComplianceData.EndSeconds + 600) * 1000;
        var cases = new List<(string Kind, string Query, long Time)>();
        foreach (var query in QueryCorpus.RangeQueries())
        {
            cases.Add(("range", query, 0));
            cases.Add(("fine range", query, 0));
        }

        foreach (var query in QueryCorpus.RangeQueries().Concat(QueryCorpus.InstantOnlyQueries()))
        {
            foreach (var t in InstantTimesMs)
            {
                cases.Add(("instant", query, t));
            }
        }

        var clock = Stopwatch.StartNew();
        var disagreements = new List<string>();
        var (bothFailed, bothEmpty) = (0, 0);
        foreach (var (kind, query, t) in cases)
        {
            ComparableResult ours;
            ComparableResult theirs;
            if (kind == "range")
            {
                ours = ComparableResult.FromOpsmon(engine.RangeQuery(query, start, end, StepMs));
                theirs = await PrometheusRangeAsync(query, start, end, StepMs);
            }
            else if (kind == "fine range")
            {
                ours = ComparableResult.FromOpsmon(engine.RangeQuery(query, FineStartMs, FineEndMs, FineStepMs));
                theirs = await PrometheusRangeAsync(query, FineStartMs, FineEndMs, FineStepMs);
            }
            else
            {
                ours = ComparableResult.FromOpsmon(engine.InstantQuery(query, t));
                theirs = await PrometheusInstantAsync(query, t);
            }

            bothFailed += ours.Type == "error" && theirs.Type == "error" ? 1 : 0;
            bothEmpty += ours.Type is "vector" or "matrix" && ours.Series.Count == 0 && theirs.Series.Count == 0 ? 1 : 0;
            var ordered = kind == "instant" && (query.StartsWith("sort", StringComparison.Ordinal) || query.StartsWith("sort_desc", StringComparison.Ordinal));
            if (ComparableResult.Difference(ours, theirs, ordered) is { } why)
            {
                disagreements.Add($"{kind}{(kind == "instant" ? "@" + (t / 1000).ToString(CultureInfo.InvariantCulture) : "")} {query}\n    {why}\n    ours:   {ours.Summary()}\n    theirs: {theirs.Summary()}");
            }
        }

        var agreed = cases.Count - disagreements.Count;
        var share = (double)agreed / cases.Count;
        var report = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"{agreed} of {cases.Count} queries agree with Prometheus ({share:P2}; {QueryCorpus.RangeQueries().Count} queries run as range queries at two resolutions, and instant at two times, with {QueryCorpus.InstantOnlyQueries().Count} instant-only ones) in {clock.Elapsed.TotalSeconds:0.0} s; {bothFailed} failed on both, {bothEmpty} empty on both\n");
        foreach (var d in disagreements)
        {
            report.Append(d).Append('\n');
        }

        output.WriteLine(report.ToString());
        Assert.True(QueryCorpus.RangeQueries().Count >= 300, "the corpus must hold at least 300 range queries");
        Assert.True(share >= RequiredShare, report.ToString());
    }

    private Task<ComparableResult> PrometheusInstantAsync(string query, long timeMs) =>
        PrometheusAsync("/api/v1/query", ("query", query), ("time", Seconds(timeMs)));

    private Task<ComparableResult> PrometheusRangeAsync(string query, long startMs, long endMs, long stepMs) =>
        PrometheusAsync("/api/v1/query_range", ("query", query), ("start", Seconds(startMs)), ("end", Seconds(endMs)), ("step", Seconds(stepMs)));

    private async Task<ComparableResult> PrometheusAsync(string path, params (string Key, string Value)[] form)
    {
        var (_, body) = await Json.PostFormAsync(_client, Url(path), form);
        return ComparableResult.FromPrometheus(body);
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
