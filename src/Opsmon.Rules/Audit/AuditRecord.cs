using System.Text.Json;
using Opsmon.Core.Series;

namespace Opsmon.Rules.Audit;

/// <summary>
/// One decision an action took about one alert, as a line of the audit log: what it acted on (or would have),
/// and how it went. <see cref="Result"/> is one of <see cref="AuditResult"/>'s values.
/// </summary>
public sealed record AuditRecord(
    DateTimeOffset Time,
    string AlertName,
    Labels AlertLabels,
    string Action,
    string Type,
    string Target,
    bool DryRun,
    string Result,
    string? Output,
    string? Error)
{
    /// <summary>The record as one JSON line (no trailing newline), field names as the audit log documents them.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("alertname", AlertName);
            json.WriteStartObject("labels");
            foreach (var label in AlertLabels.AsSpan())
            {
                json.WriteString(label.Name, label.Value);
            }

            json.WriteEndObject();
            json.WriteString("action", Action);
            json.WriteString("type", Type);
            json.WriteString("target", Target);
            json.WriteBoolean("dry_run", DryRun);
            json.WriteString("result", Result);
            if (Output is not null)
            {
                json.WriteString("output", Output);
            }

            if (Error is not null)
            {
                json.WriteString("error", Error);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>The results an audit record and opsmon_action_runs_total{result} take.</summary>
public static class AuditResult
{
    /// <summary>The action ran and succeeded.</summary>
    public const string Ok = "ok";

    /// <summary>The action ran (or tried to) and failed, timed out, or found nothing to act on.</summary>
    public const string Failed = "failed";

    /// <summary>The same action ran on the same target less than its cooldown ago.</summary>
    public const string SkippedCooldown = "skipped_cooldown";

    /// <summary>The action's loop guard tripped: it ran max_runs times within its window.</summary>
    public const string Suspended = "suspended";

    /// <summary>dry_run is on: the record says what the action would have done.</summary>
    public const string DryRun = "dry_run";

    /// <summary>A safety rule forbade it (PID 1, a kernel thread, Opsmon itself, another user, no selector match).</summary>
    public const string Refused = "refused";

    public static IReadOnlyList<string> All { get; } = [Ok, Failed, SkippedCooldown, Suspended, DryRun, Refused];
}
