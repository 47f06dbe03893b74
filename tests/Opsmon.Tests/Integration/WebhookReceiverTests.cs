using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>A webhook receiver gets Alertmanager's webhook JSON (version 4) from `opsmon run`: the firing alert, then its resolution.</summary>
public sealed class WebhookReceiverTests
{
    [Fact]
    public async Task A_webhook_gets_the_firing_and_then_the_resolved_notification()
    {
        await using var alert = new AlertFixture("RoutingWebhookTest");
        await using var listener = new PayloadListener(RunningProcess.FreePort());
        var config = await alert.WriteConfigAsync($"""
            route:
              receiver: hook
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: '{listener.Url}'
                    timeout: 5s
            """);
        var port = RunningProcess.FreePort();
        await using var agent = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{port}", "--data", alert.DataDirectory, "--interval", "1s", "--config", config);
        await agent.WaitForHttpAsync($"http://127.0.0.1:{port}/-/ready");

        alert.Fire();
        var firing = await listener.WaitForAsync(b => Status(b) == "firing", TimeSpan.FromSeconds(20), () => agent.Output);
        await alert.ResolveAsync();
        var resolved = await listener.WaitForAsync(b => Status(b) == "resolved", TimeSpan.FromSeconds(20), () => agent.Output);
        using var client = new HttpClient();
        const string Delivered = "opsmon_notifications_total{receiver=\"hook\",integration=\"webhook\"} 2";
        var metrics = string.Empty;
        // The listener has the body before Opsmon has its answer and counts the delivery.
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(5) && !metrics.Contains(Delivered, StringComparison.Ordinal);)
        {
            metrics = await client.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        }

        Assert.Equal("4", firing.GetProperty("version").GetString());
        Assert.Equal("hook", firing.GetProperty("receiver").GetString());
        Assert.Equal("{}:{alertname=\"RoutingWebhookTest\"}", firing.GetProperty("groupKey").GetString());
        Assert.Equal(0, firing.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("RoutingWebhookTest", firing.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Equal("critical", firing.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.StartsWith("marker process is running", firing.GetProperty("commonAnnotations").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal($"http://127.0.0.1:{port}/", firing.GetProperty("externalURL").GetString());
        var firingAlert = firing.GetProperty("alerts").EnumerateArray().Single();
        Assert.Equal("firing", firingAlert.GetProperty("status").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", firingAlert.GetProperty("endsAt").GetString());
        Assert.Equal(16, firingAlert.GetProperty("fingerprint").GetString()!.Length);
        var resolvedAlert = resolved.GetProperty("alerts").EnumerateArray().Single();
        Assert.Equal(firingAlert.GetProperty("fingerprint").GetString(), resolvedAlert.GetProperty("fingerprint").GetString());
        Assert.Equal(firingAlert.GetProperty("startsAt").GetString(), resolvedAlert.GetProperty("startsAt").GetString());
        Assert.True(resolvedAlert.GetProperty("endsAt").GetDateTimeOffset() > resolvedAlert.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Contains(Delivered, metrics, StringComparison.Ordinal);
        Assert.Contains("opsmon_notifications_failed_total{receiver=\"hook\",integration=\"webhook\"} 0", metrics, StringComparison.Ordinal);
    }

    private static string? Status(JsonElement body) => body.GetProperty("status").GetString();
}
