using System.Globalization;
using Opsmon.Tests.Support;
using static Opsmon.Tests.Actions.LiveActions;

namespace Opsmon.Tests.Integration;

/// <summary>
/// The whole chain in `opsmon run`, live: the process collector sees a test-owned child above a memory threshold,
/// a rule fires, the route hands the alert to a receiver with a restart action, and the action replaces the child
/// once; the alert keeps being re-sent, and the cooldown turns every later delivery into an audited no-op.
/// </summary>
public sealed class ActionPipelineTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("opsmon-pipeline-");
    private RunningProcess? _first;

    private string PidFile => Path.Combine(_dir.FullName, "child.pid");

    private string Restarts => Path.Combine(_dir.FullName, "restarts.log");

    private string Audit => Path.Combine(_dir.FullName, "actions.log");

    // A size and lifetime no other test uses, so the process group below matches only this test's children.
    private static readonly string[] LeakerArgs = [Path.Combine(AppContext.BaseDirectory, "Opsmon.TestLeaker.dll"), "steady", "--mb", "44", "--lifetime", "93"];

    private int CurrentPid => int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture);

    private int RestartCount => File.Exists(Restarts) ? File.ReadAllLines(Restarts).Length : 0;

    private IReadOnlyList<string> AuditResults => AuditResultsIn(Audit);

    public async Task InitializeAsync()
    {
        var leaker = string.Join(' ', [Tools.Dotnet, .. LeakerArgs]);
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "restart.sh"), $"""
            kill $(cat {PidFile})
            {leaker} > {_dir.FullName}/child.out 2>&1 < /dev/null &
            echo $! > {PidFile}
            echo restarted >> {Restarts}
            """);
        _first = RunningProcess.Start(Tools.Dotnet, LeakerArgs);
        await File.WriteAllTextAsync(PidFile, _first.Pid.ToString(CultureInfo.InvariantCulture));
        await Until(() => _first.Output.Contains("ready", StringComparison.Ordinal), "the first child getting ready");
    }

    [Fact]
    public async Task A_child_above_the_memory_threshold_is_restarted_once_and_the_cooldown_holds()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "rules.yml"), """
            groups:
              - name: pipeline
                interval: 1s
                rules:
                  - alert: LeakerMemoryHigh
                    expr: namedprocess_namegroup_memory_bytes{groupname="pipeline-leaker",memtype="resident"} > 30e6
                    labels:
                      job: leaker
            """);
        var config = Path.Combine(_dir.FullName, "opsmon.yml");
        await File.WriteAllTextAsync(config, $"""
            rule_files: [rules.yml]
            evaluation_interval: 1s
            process:
              groups:
                - name: pipeline-leaker
                  cmdline: ['Opsmon\.TestLeaker\.dll steady --mb 44 --lifetime 93']
            route:
              receiver: fix
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1s
            receivers:
              - name: fix
                actions: [restart-leaker]
            audit_log: {Audit}
            actions:
              - name: restart-leaker
                type: restart
                match: ['alertname="LeakerMemoryHigh"']
                command: [/bin/sh, {_dir.FullName}/restart.sh]
                health_command: [/bin/sh, -c, 'kill -0 $(cat {PidFile}) && grep -q ready {_dir.FullName}/child.out']
                health_timeout: 20s
                timeout: 25s
                cooldown: 1h
                max_runs: 3
                window: 1h
            """);
        var port = RunningProcess.FreePort();
        var first = CurrentPid;
        await using var agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(_dir.FullName, "data"),
            "--interval", "1s", "--config", config);
        await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");

        await Until(() => RestartCount == 1 && AuditResults.Contains("ok"), "the restart action running", TimeSpan.FromSeconds(40));
        var second = CurrentPid;
        await Until(() => AuditResults.Count(r => r == "skipped_cooldown") >= 2, "two later deliveries skipped by the cooldown", TimeSpan.FromSeconds(30));
        using var client = new HttpClient();
        var metrics = await client.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        Assert.NotEqual(first, second);
        Assert.True(Alive(second), agent.Output);
        Assert.Equal(1, RestartCount);
        Assert.Equal(second, CurrentPid);
        Assert.Equal("ok", AuditResults[0]);
        Assert.All(AuditResults.Skip(1), r => Assert.Equal("skipped_cooldown", r));
        Assert.Contains("opsmon_action_runs_total{action=\"restart-leaker\",result=\"ok\"} 1", metrics, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        KillFromPidFile(PidFile);

        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        _dir.Delete(recursive: true);
    }
}
