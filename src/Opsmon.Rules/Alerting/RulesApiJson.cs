using System.Text.Json;
using Opsmon.Rules.Templating;

namespace Opsmon.Rules.Alerting;

/// <summary>The JSON shapes of Prometheus's /api/v1/rules and /api/v1/alerts (web/api/v1: RuleGroup, AlertingRule, RecordingRule, Alert).</summary>
public static class RulesApiJson
{
    public static void WriteRules(Utf8JsonWriter writer, IEnumerable<RuleGroup> groups)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("groups");
        foreach (var group in groups)
        {
            writer.WriteStartObject();
            writer.WriteString("name", group.Name);
            writer.WriteString("file", group.File);
            writer.WriteStartArray("rules");
            foreach (var rule in group.Rules)
            {
                WriteRule(writer, rule);
            }

            writer.WriteEndArray();
            writer.WriteNumber("interval", group.Interval.TotalSeconds);
            writer.WriteNumber("limit", group.Limit);
            writer.WriteNumber("evaluationTime", group.EvaluationTime.TotalSeconds);
            writer.WriteString("lastEvaluation", Time(group.LastEvaluation));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteAlerts(Utf8JsonWriter writer, IEnumerable<Alert> alerts)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("alerts");
        foreach (var alert in alerts)
        {
            WriteAlert(writer, alert);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter writer, Rule rule)
    {
        writer.WriteStartObject();
        if (rule is AlertingRule alerting)
        {
            writer.WriteString("state", Alert.StateName(alerting.State));
        }

        writer.WriteString("name", rule.Name);
        writer.WriteString("query", rule.Query.Trim());
        if (rule is AlertingRule a)
        {
            writer.WriteNumber("duration", a.HoldDuration.TotalSeconds);
            writer.WriteNumber("keepFiringFor", a.KeepFiringFor.TotalSeconds);
        }

        writer.WritePropertyName("labels");
        WriteMap(writer, rule.Definition.Labels);
        if (rule is AlertingRule withAlerts)
        {
            writer.WritePropertyName("annotations");
            WriteMap(writer, withAlerts.Definition.Annotations);
            writer.WriteStartArray("alerts");
            foreach (var alert in withAlerts.ActiveAlerts())
            {
                WriteAlert(writer, alert);
            }

            writer.WriteEndArray();
        }

        writer.WriteString("health", rule.Health switch
        {
            RuleHealth.Ok => "ok",
            RuleHealth.Err => "err",
            _ => "unknown",
        });
        if (rule.LastError is { } error)
        {
            writer.WriteString("lastError", error);
        }

        writer.WriteNumber("evaluationTime", rule.EvaluationTime.TotalSeconds);
        writer.WriteString("lastEvaluation", Time(rule.LastEvaluation));
        writer.WriteString("type", rule is AlertingRule ? "alerting" : "recording");
        writer.WriteEndObject();
    }

    private static void WriteAlert(Utf8JsonWriter writer, Alert alert)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("labels");
        writer.WriteStartObject();
        foreach (var label in alert.Labels.AsSpan())
        {
            writer.WriteString(label.Name, label.Value);
        }

        writer.WriteEndObject();
        writer.WritePropertyName("annotations");
        WriteMap(writer, alert.Annotations);
        writer.WriteString("state", Alert.StateName(alert.State));
        writer.WriteString("activeAt", Time(alert.ActiveAt));
        // Prometheus writes the value with strconv.FormatFloat(v, 'e', -1, 64).
        writer.WriteString("value", GoFormat.EShortest(alert.Value));
        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>RFC 3339 in UTC as Go marshals time.Time; the zero time when never evaluated.</summary>
    private static string Time(DateTimeOffset? time) => time is { } t
        ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture)
        : "0001-01-01T00:00:00Z";
}
