using System.Text.Json;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Rules.Tests.Actions.ActionFixtures;

namespace Opsmon.Rules.Tests.Actions;

public sealed class ScriptActionTests : IDisposable
{
    private readonly ActionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task The_command_gets_the_alert_in_its_environment()
    {
        var spec = Spec("env", new ScriptSettings(["/bin/sh", "-c", "echo \"$OPSMON_ALERTNAME $OPSMON_ALERT_STATUS $OPSMON_LABEL_INSTANCE $OPSMON_LABEL_K8S_POD $OPSMON_ANNOTATION_SUMMARY\""], 4096));
        var runner = _f.Runner(null, spec);
        var alert = Alert("HighMemory", ("instance", "web1"), ("k8s_pod", "api-7"));

        var record = Assert.Single(await runner.RunAsync("env", alert, Notify(alert), CancellationToken.None));

        Assert.Equal("HighMemory firing web1 api-7 it happened", record.Output);
    }

    [Fact]
    public async Task The_command_gets_the_notification_as_json_on_stdin()
    {
        var spec = Spec("stdin", new ScriptSettings(["/bin/cat"], 65536));
        var runner = _f.Runner(null, spec);
        var alert = Alert("HighMemory", ("instance", "web1"));

        var record = Assert.Single(await runner.RunAsync("stdin", alert, Notify(alert), CancellationToken.None));

        var json = JsonDocument.Parse(record.Output!).RootElement;
        Assert.Equal("ops", json.GetProperty("receiver").GetString());
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("web1", json.GetProperty("alerts")[0].GetProperty("labels").GetProperty("instance").GetString());
        Assert.Equal("HighMemory", json.GetProperty("alert").GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal(alert.Fingerprint, json.GetProperty("alert").GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task Output_is_bounded()
    {
        var spec = Spec("loud", new ScriptSettings(["/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"], 1000));
        var runner = _f.Runner(null, spec);

        var record = Assert.Single(await runner.RunAsync("loud", Alert("HighMemory"), Notify(Alert("HighMemory")), CancellationToken.None));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal(new string('x', 1000) + "\n[output truncated]", record.Output);
    }

    [Fact]
    public async Task The_command_runs_without_a_shell()
    {
        var spec = Spec("argv", new ScriptSettings(["/bin/echo", "$OPSMON_ALERTNAME;", "rm -rf /"], 4096));
        var runner = _f.Runner(null, spec);

        var record = Assert.Single(await runner.RunAsync("argv", Alert("HighMemory"), Notify(Alert("HighMemory")), CancellationToken.None));

        Assert.Equal("$OPSMON_ALERTNAME; rm -rf /", record.Output);
    }
}
