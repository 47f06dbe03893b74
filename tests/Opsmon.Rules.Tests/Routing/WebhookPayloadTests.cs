using System.Text.Json;
using Opsmon.Core.Series;
using Opsmon.Rules.Routing;
using static Opsmon.Rules.Tests.Routing.RoutingFixture;

namespace Opsmon.Rules.Tests.Routing;

public sealed class WebhookPayloadTests
{
    private static JsonElement Write(Notification notification, int maxAlerts = 0)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WebhookPayload.Write(writer, notification, "http://127.0.0.1:9184/", maxAlerts);
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void The_payload_has_alertmanagers_version_4_fields()
    {
        var a = Firing("HighMemory", ("instance", "a"), ("severity", "critical"));
        var b = Resolved(Firing("HighMemory", ("instance", "b"), ("severity", "critical")), Start + TimeSpan.FromMinutes(2));
        var json = Write(new Notification("ops", "{}:{alertname=\"HighMemory\"}", Labels.From(("alertname", "HighMemory")), [a, b]));

        Assert.Equal("4", json.GetProperty("version").GetString());
        Assert.Equal("{}:{alertname=\"HighMemory\"}", json.GetProperty("groupKey").GetString());
        Assert.Equal(0, json.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("ops", json.GetProperty("receiver").GetString());
        Assert.Equal("HighMemory", json.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Equal("critical", json.GetProperty("commonLabels").GetProperty("severity").GetString());
        Assert.False(json.GetProperty("commonLabels").TryGetProperty("instance", out _));
        Assert.Equal("HighMemory is bad", json.GetProperty("commonAnnotations").GetProperty("summary").GetString());
        Assert.Equal("http://127.0.0.1:9184/", json.GetProperty("externalURL").GetString());
        var alerts = json.GetProperty("alerts");
        Assert.Equal("firing", alerts[0].GetProperty("status").GetString());
        Assert.Equal("a", alerts[0].GetProperty("labels").GetProperty("instance").GetString());
        Assert.Equal("2026-01-01T12:00:00Z", alerts[0].GetProperty("startsAt").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", alerts[0].GetProperty("endsAt").GetString());
        Assert.Equal("http://opsmon.test/", alerts[0].GetProperty("generatorURL").GetString());
        Assert.Equal(a.Fingerprint, alerts[0].GetProperty("fingerprint").GetString());
        Assert.Equal("resolved", alerts[1].GetProperty("status").GetString());
        Assert.Equal("2026-01-01T12:02:00Z", alerts[1].GetProperty("endsAt").GetString());
    }

    [Fact]
    public void Max_alerts_truncates_and_counts_the_rest()
    {
        var alerts = Enumerable.Range(0, 5).Select(i => Firing("Disk", ("device", $"sd{i}"))).ToList();

        var json = Write(new Notification("ops", "k", Labels.From(("alertname", "Disk")), alerts), maxAlerts: 2);

        Assert.Equal(2, json.GetProperty("alerts").GetArrayLength());
        Assert.Equal(3, json.GetProperty("truncatedAlerts").GetInt32());
    }

    [Fact]
    public void An_all_resolved_group_has_status_resolved()
    {
        var json = Write(new Notification("ops", "k", Labels.Empty, [Resolved(Firing("Disk"), Start)]));

        Assert.Equal("resolved", json.GetProperty("status").GetString());
    }
}
