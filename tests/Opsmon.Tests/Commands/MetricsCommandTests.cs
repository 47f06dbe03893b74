using Opsmon.Tests.Support;

namespace Opsmon.Tests.Commands;

public sealed class MetricsCommandTests
{
    [Fact]
    public async Task Metrics_prints_one_collection_that_parses_strictly()
    {
        var result = await CliRun.RunAsync("metrics");

        Assert.Equal(0, result.ExitCode);
        var families = Exposition.Parse(result.Stdout);
        var success = families["opsmon_scrape_collector_success"].Samples;
        Assert.Contains(success, s => s.Labels["collector"] == "loadavg" && s.Value == 1);
    }

    [Fact]
    public async Task No_collector_flag_disables_that_collector()
    {
        var result = await CliRun.RunAsync("metrics", "--no-collector.loadavg");

        Assert.Equal(0, result.ExitCode);
        var families = Exposition.Parse(result.Stdout);
        Assert.DoesNotContain("node_load1", families.Keys);
        Assert.DoesNotContain(families["opsmon_scrape_collector_success"].Samples, s => s.Labels["collector"] == "loadavg");
    }

    [Fact]
    public async Task OpenMetrics_flag_ends_with_EOF()
    {
        var result = await CliRun.RunAsync("metrics", "--openmetrics");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("# EOF\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_check_metrics_accepts_the_output()
    {
        var result = await CliRun.RunAsync("metrics");
        var promtool = Tools.Require("promtool");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, result.Stdout);
            await using var check = RunningProcess.Start("/bin/sh", ["-c", $"'{promtool}' check metrics < '{file}'"]);
            var code = await check.WaitForExitAsync(TimeSpan.FromSeconds(60));
            // promtool prints lint findings (naming advice) and exits 3 for them; 1 means the text did not parse.
            Assert.True(code is 0 or 3, $"promtool exit {code}:\n{check.Output}");
            Assert.DoesNotContain("error while linting", check.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Unknown_flag_exits_2_with_a_message()
    {
        var result = await CliRun.RunAsync("metrics", "--bogus");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bogus", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_root_directory_exits_2()
    {
        var result = await CliRun.RunAsync("metrics", "--root", "/nonexistent/opsmon-root");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--root", result.Stderr, StringComparison.Ordinal);
    }
}
