using Opsmon.Rules.Actions;
using Opsmon.Rules.Audit;
using static Opsmon.Rules.Tests.Actions.ActionFixtures;

namespace Opsmon.Rules.Tests.Actions;

/// <summary>
/// The restart action's unit path. systemd is not PID 1 where these tests run, so the argv is checked directly and a
/// stand-in systemctl (a shell script) answers is-active the way systemd would; the command path has live tests.
/// </summary>
public sealed class RestartActionTests : IDisposable
{
    private readonly ActionFixtures _f = new();

    public void Dispose() => _f.Dispose();

    private string Systemctl(string isActiveAnswer) =>
        _f.Script("systemctl", $"echo \"$@\" >> {_f.Dir}/systemctl.log\nif [ \"$1\" = is-active ]; then echo {isActiveAnswer}; fi\n");

    private async Task<AuditRecord> Run(string isActiveAnswer, TimeSpan healthTimeout)
    {
        var settings = new RestartSettings("web.service", null, null, null, healthTimeout, TimeSpan.FromMilliseconds(50));
        var host = new ActionHost { Systemctl = Systemctl(isActiveAnswer) };
        var runner = _f.Runner(host, Spec("restart", settings));
        var alert = Alert("HighMemory");
        return Assert.Single(await runner.RunAsync("restart", alert, Notify(alert), CancellationToken.None));
    }

    [Fact]
    public void The_unit_is_restarted_with_systemctl_restart_and_checked_with_is_active()
    {
        Assert.Equal(["systemctl", "restart", "--", "web.service"], RestartAction.RestartArgv("systemctl", "web.service"));
        Assert.Equal(["systemctl", "is-active", "--", "web.service"], RestartAction.IsActiveArgv("systemctl", "web.service"));
    }

    [Fact]
    public async Task A_unit_that_comes_back_active_is_a_successful_restart()
    {
        var record = await Run("active", TimeSpan.FromSeconds(5));

        Assert.Equal(AuditResult.Ok, record.Result);
        Assert.Equal("unit web.service", record.Target);
        Assert.StartsWith("restart -- web.service\nis-active -- web.service\n", File.ReadAllText(Path.Combine(_f.Dir, "systemctl.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_unit_that_is_not_active_within_the_health_timeout_is_a_failed_restart()
    {
        var record = await Run("activating", TimeSpan.FromMilliseconds(300));

        Assert.Equal(AuditResult.Failed, record.Result);
        Assert.Equal("not healthy within 00:00:00.3000000: systemctl is-active says 'activating'", record.Error);
    }
}
