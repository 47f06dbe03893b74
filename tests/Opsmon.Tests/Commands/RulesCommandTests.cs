using Opsmon.Tests.Support;

namespace Opsmon.Tests.Commands;

public sealed class RulesCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-rules-");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Check_accepts_a_valid_file_and_counts_its_rules()
    {
        var file = Write("ok.yml", """
            groups:
              - name: host
                rules:
                  - record: instance:load1:avg
                    expr: avg(node_load1)
                  - alert: HighLoad
                    expr: node_load1 > 4
                    for: 2m
                    annotations:
                      summary: "load is {{ $value | humanize }}"
            """);

        var result = await CliRun.RunAsync("rules", "check", file);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("SUCCESS: 2 rules found", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_names_file_line_and_rule_of_each_error()
    {
        var file = Write("bad.yml", """
            groups:
              - name: host
                rules:
                  - alert: Broken
                    expr: sum(node_load1
            """);

        var result = await CliRun.RunAsync("rules", "check", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}:5:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"Broken\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_runs_promtool_style_unit_tests()
    {
        Write("alerts.yml", """
            groups:
              - name: g
                rules:
                  - alert: Down
                    expr: up == 0
                    for: 1m
            """);
        var tests = Write("alerts_test.yml", """
            rule_files: [alerts.yml]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a"}'
                    values: '1 0 0 0'
                alert_rule_test:
                  - eval_time: 3m
                    alertname: Down
                    exp_alerts:
                      - exp_labels: {job: a}
            """);

        var result = await CliRun.RunAsync("rules", "test", tests);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("SUCCESS", result.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
