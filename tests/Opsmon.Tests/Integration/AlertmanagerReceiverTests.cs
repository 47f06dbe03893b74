using System.Diagnostics;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>
/// `opsmon run` pushes alerts to a real Alertmanager (Debian's prometheus-alertmanager on loopback) through its API v2:
/// the alert arrives, active with an end well in the future, and resolves; Alertmanager's own webhook says so.
/// </summary>
public sealed class AlertmanagerReceiverTests
{
    [Fact]
    public async Task An_alert_pushed_to_alertmanager_arrives_and_resolves()
    {
        var alertmanager = Tools.Require("prometheus-alertmanager");
        await using var alert = new AlertFixture("RoutingAlertmanagerTest");
        await using var amWebhook = new PayloadListener(RunningProcess.FreePort());
        var amConfig = Path.Combine(alert.Directory.FullName, "alertmanager.yml");
        await File.WriteAllTextAsync(amConfig, $"""
            route:
              receiver: test
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: test
                webhook_configs:
                  - url: '{amWebhook.Url}'
                    send_resolved: true
            """);
        var amPort = RunningProcess.FreePort();
        await using var am = RunningProcess.Start(alertmanager, [
            $"--config.file={amConfig}", $"--storage.path={Path.Combine(alert.Directory.FullName, "am")}",
            $"--web.listen-address=127.0.0.1:{amPort}", "--cluster.listen-address="]);
        await am.WaitForHttpAsync($"http://127.0.0.1:{amPort}/-/ready");
        var config = await alert.WriteConfigAsync($"""
            route:
              receiver: am
            receivers:
              - name: am
                alertmanager_configs:
                  - url: http://127.0.0.1:{amPort}
            """);
        var port = RunningProcess.FreePort();
        await using var agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{port}", "--data", alert.DataDirectory, "--interval", "1s", "--config", config);
        await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");
        using var client = new HttpClient();

        alert.Fire();
        var active = await ActiveAlertAsync(client, amPort, alert.AlertName, () => agent.Output + am.Output);
        await alert.ResolveAsync();
        var resolved = await amWebhook.WaitForAsync(
            b => b.GetProperty("status").GetString() == "resolved" && b.GetProperty("groupLabels").GetProperty("alertname").GetString() == alert.AlertName,
            TimeSpan.FromSeconds(20), () => agent.Output + am.Output);

        Assert.Equal("active", active.GetProperty("status").GetProperty("state").GetString());
        Assert.Equal("critical", active.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal($"http://127.0.0.1:{port}/", active.GetProperty("generatorURL").GetString());
        // Prometheus's rule: endsAt = now + 4 x max(evaluation interval, resend delay 1m), so Alertmanager keeps it active.
        var validFor = active.GetProperty("endsAt").GetDateTimeOffset() - active.GetProperty("updatedAt").GetDateTimeOffset();
        Assert.InRange(validFor, TimeSpan.FromMinutes(3.5), TimeSpan.FromMinutes(4.5));
        var resolvedAlert = resolved.GetProperty("alerts").EnumerateArray().Single();
        Assert.Equal("resolved", resolvedAlert.GetProperty("status").GetString());
        Assert.True(resolvedAlert.GetProperty("endsAt").GetDateTimeOffset() < active.GetProperty("endsAt").GetDateTimeOffset());
    }

    private static async Task<JsonElement> ActiveAlertAsync(HttpClient client, int port, string alertName, Func<string> context)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{port}/api/v2/alerts");
            var alerts = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            foreach (var a in alerts.EnumerateArray())
            {
                if (a.GetProperty("labels").TryGetProperty("alertname", out var name) && name.GetString() == alertName)
                {
                    return a.Clone();
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{alertName} never reached Alertmanager:\n{context()}");
    }
}
