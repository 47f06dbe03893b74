using System.Globalization;
using System.Text.Json;
using Opsmon.Core.Series;

namespace Opsmon.Rules.Routing;

/// <summary>
/// Alertmanager's webhook JSON, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config),
/// written with Utf8JsonWriter: no reflection, so the tool stays trimmable.
/// </summary>
public static class WebhookPayload
{
    /// <summary>Go's zero time, which Alertmanager writes as the endsAt of a firing alert.</summary>
    public const string ZeroTime = "0001-01-01T00:00:00Z";

    public static void Write(Utf8JsonWriter writer, Notification notification, string externalUrl, int maxAlerts)
    {
        var alerts = notification.Alerts;
        var truncated = maxAlerts > 0 && alerts.Count > maxAlerts ? alerts.Count - maxAlerts : 0;
        writer.WriteStartObject();
        writer.WriteString("version", "4");
        writer.WriteString("groupKey", notification.GroupKey);
        writer.WriteNumber("truncatedAlerts", truncated);
        writer.WriteString("status", notification.Status);
        writer.WriteString("receiver", notification.Receiver);
        WriteLabels(writer, "groupLabels", notification.GroupLabels);
        WriteLabels(writer, "commonLabels", CommonLabels(alerts));
        WriteMap(writer, "commonAnnotations", CommonAnnotations(alerts));
        writer.WriteString("externalURL", externalUrl);
        writer.WriteStartArray("alerts");
        foreach (var alert in truncated > 0 ? alerts.Take(maxAlerts) : alerts)
        {
            writer.WriteStartObject();
            writer.WriteString("status", alert.Status);
            WriteLabels(writer, "labels", alert.Labels);
            WriteMap(writer, "annotations", alert.Annotations);
            writer.WriteString("startsAt", Rfc3339(alert.StartsAt));
            writer.WriteString("endsAt", alert.IsFiring || alert.EndsAt is null ? ZeroTime : Rfc3339(alert.EndsAt.Value));
            writer.WriteString("generatorURL", alert.GeneratorUrl);
            writer.WriteString("fingerprint", alert.Fingerprint);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>RFC 3339 in UTC with as many fractional digits as needed, as Go's time.RFC3339Nano.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public static void WriteLabels(Utf8JsonWriter writer, string property, Labels labels)
    {
        writer.WriteStartObject(property);
        foreach (var label in labels.AsSpan())
        {
            writer.WriteString(label.Name, label.Value);
        }

        writer.WriteEndObject();
    }

    public static void WriteMap(Utf8JsonWriter writer, string property, IEnumerable<KeyValuePair<string, string>> map)
    {
        writer.WriteStartObject(property);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>The labels every alert has with the same value.</summary>
    public static Labels CommonLabels(IReadOnlyList<AlertSnapshot> alerts)
    {
        if (alerts.Count == 0)
        {
            return Labels.Empty;
        }

        var first = alerts[0].Labels;
        return Labels.From(first.AsSpan().ToArray().Where(l => alerts.All(a => a.Labels.Get(l.Name) == l.Value)));
    }

    /// <summary>The annotations every alert has with the same value.</summary>
    public static IReadOnlyDictionary<string, string> CommonAnnotations(IReadOnlyList<AlertSnapshot> alerts)
    {
        var common = new Dictionary<string, string>(StringComparer.Ordinal);
        if (alerts.Count == 0)
        {
            return common;
        }

        foreach (var (key, value) in alerts[0].Annotations)
        {
            if (alerts.All(a => a.Annotations.TryGetValue(key, out var v) && v == value))
            {
                common[key] = value;
            }
        }

        return common;
    }
}
