using System.Globalization;
using System.Text.Json;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>script's settings: the command (argv, no shell) and how much of its output to keep.</summary>
public sealed record ScriptSettings(IReadOnlyList<string> Command, int MaxOutput) : ActionSettings;

/// <summary>
/// Runs a configured command with the alert in its environment (OPSMON_ALERTNAME, OPSMON_ALERT_STATUS,
/// OPSMON_ALERT_VALUE, OPSMON_LABEL_NAME, OPSMON_ANNOTATION_NAME, OPSMON_ACTION) and the notification as JSON on
/// stdin (Alertmanager's webhook shape plus the alert being acted on). The cooldown is per alert (its fingerprint).
/// </summary>
public sealed class ScriptAction(ActionSpec spec, ActionHost host) : IAction
{
    private readonly ScriptSettings _settings = (ScriptSettings)spec.Settings;

    public string Name => spec.Name;

    public ActionSpec Spec => spec;

    internal static ActionSettings? Parse(ActionSection section)
    {
        var command = section.List("command");
        var maxOutput = section.Int("max_output", 0, 1 << 20) ?? CommandRunner.DefaultMaxOutput;
        if (command is null or { Count: 0 })
        {
            section.Error("command", "is required: the program and its arguments as a list, for example [/usr/local/bin/clean-tmp, --fast].");
            return null;
        }

        return new ScriptSettings(command, maxOutput);
    }

    public ActionTargets Resolve(AlertSnapshot alert) =>
        ActionTargets.One(new ActionTarget($"alert:{alert.Fingerprint}", $"{alert.Labels.Get("alertname")} {alert.Labels}"));

    public async Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        _ = host;
        if (run.DryRun)
        {
            return ActionOutcome.Ok("would run " + string.Join(' ', _settings.Command));
        }

        var result = await CommandRunner.RunAsync(_settings.Command, cancellationToken, Environment(run), StdinJson(run), _settings.MaxOutput);
        return result.Succeeded
            ? ActionOutcome.Ok(result.Output)
            : ActionOutcome.Failed($"{_settings.Command[0]} exited with {result.ExitCode}", result.Output);
    }

    /// <summary>The variables the command gets: label and annotation names upper-cased, other characters as '_'.</summary>
    public static Dictionary<string, string> Environment(ActionRun run)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["OPSMON_ALERTNAME"] = run.Alert.Labels.Get("alertname"),
            ["OPSMON_ALERT_STATUS"] = run.Alert.Status,
            ["OPSMON_ALERT_VALUE"] = run.Alert.Value.ToString(CultureInfo.InvariantCulture),
            ["OPSMON_ALERT_FINGERPRINT"] = run.Alert.Fingerprint,
            ["OPSMON_RECEIVER"] = run.Notification.Receiver,
        };
        foreach (var label in run.Alert.Labels.AsSpan())
        {
            env["OPSMON_LABEL_" + EnvName(label.Name)] = label.Value;
        }

        foreach (var (name, value) in run.Alert.Annotations)
        {
            env["OPSMON_ANNOTATION_" + EnvName(name)] = value;
        }

        return env;
    }

    private static string EnvName(string name)
    {
        var chars = name.ToUpperInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    /// <summary>The notification as Alertmanager's webhook JSON, plus "alert": the one this run acts on.</summary>
    public static byte[] StdinJson(ActionRun run)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "4");
            json.WriteString("groupKey", run.Notification.GroupKey);
            json.WriteString("status", run.Notification.Status);
            json.WriteString("receiver", run.Notification.Receiver);
            WriteLabels(json, "groupLabels", run.Notification.GroupLabels);
            json.WriteStartArray("alerts");
            foreach (var alert in run.Notification.Alerts)
            {
                WriteAlert(json, alert);
            }

            json.WriteEndArray();
            json.WritePropertyName("alert");
            WriteAlert(json, run.Alert);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteAlert(Utf8JsonWriter json, AlertSnapshot alert)
    {
        json.WriteStartObject();
        json.WriteString("status", alert.Status);
        WriteLabels(json, "labels", alert.Labels);
        json.WriteStartObject("annotations");
        foreach (var (name, value) in alert.Annotations)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WriteString("startsAt", Rfc3339(alert.StartsAt));
        json.WriteString("endsAt", alert.EndsAt is { } end ? Rfc3339(end) : "0001-01-01T00:00:00Z");
        json.WriteString("generatorURL", alert.GeneratorUrl);
        json.WriteString("fingerprint", alert.Fingerprint);
        json.WriteEndObject();
    }

    private static void WriteLabels(Utf8JsonWriter json, string property, Opsmon.Core.Series.Labels labels)
    {
        json.WriteStartObject(property);
        foreach (var label in labels.AsSpan())
        {
            json.WriteString(label.Name, label.Value);
        }

        json.WriteEndObject();
    }

    private static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
