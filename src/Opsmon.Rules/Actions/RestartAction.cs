using System.Diagnostics;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>
/// restart's settings: a systemd unit, or a command (argv) with an optional health check (a command that must exit 0,
/// or an http URL that must answer 2xx), awaited within health_timeout.
/// </summary>
public sealed record RestartSettings(
    string? Unit,
    IReadOnlyList<string>? Command,
    IReadOnlyList<string>? HealthCommand,
    Uri? HealthUrl,
    TimeSpan HealthTimeout,
    TimeSpan HealthInterval) : ActionSettings, ITimedSettings
{
    public TimeSpan? MinimumTimeout() => HealthTimeout;

    public string MinimumTimeoutReason => "the health_timeout the restart waits for";
}

/// <summary>
/// Restarts a systemd unit (<c>systemctl restart UNIT</c>, then <c>systemctl is-active UNIT</c> until "active") or
/// runs a configured restart command and then waits until its health check passes. A restart whose service does not
/// come back healthy within health_timeout is a failure, and counts toward the loop guard like any run.
/// </summary>
public sealed class RestartAction(ActionSpec spec, ActionHost host) : IAction
{
    private static readonly TimeSpan DefaultHealthTimeout = TimeSpan.FromSeconds(30);
    private readonly RestartSettings _settings = (RestartSettings)spec.Settings;

    public string Name => spec.Name;

    public ActionSpec Spec => spec;

    internal static ActionSettings? Parse(ActionSection section)
    {
        var unit = section.String("unit");
        var command = section.List("command");
        var healthCommand = section.List("health_command");
        var healthUrlText = section.String("health_url");
        var healthTimeout = section.Duration("health_timeout") ?? DefaultHealthTimeout;
        var healthInterval = section.Duration("health_interval") ?? TimeSpan.FromSeconds(1);
        if ((unit is null) == (command is null))
        {
            section.Error(unit is null ? "command" : "unit", "a restart needs exactly one of unit (a systemd unit) or command (an argv list).");
            return null;
        }

        if (unit is not null && !ValidUnit(unit))
        {
            section.Error("unit", $"'{unit}' is not a systemd unit name (for example nginx.service).");
            return null;
        }

        if (command is { Count: 0 } || healthCommand is { Count: 0 })
        {
            section.Error(command is { Count: 0 } ? "command" : "health_command", "must not be empty: the program, then its arguments.");
            return null;
        }

        if (unit is not null && (healthCommand is not null || healthUrlText is not null))
        {
            section.Error(healthCommand is not null ? "health_command" : "health_url", "applies to command restarts; a unit's health is systemctl is-active.");
            return null;
        }

        if (healthCommand is not null && healthUrlText is not null)
        {
            section.Error("health_url", "give one health check: health_command or health_url.");
            return null;
        }

        Uri? healthUrl = null;
        if (healthUrlText is not null && (!Uri.TryCreate(healthUrlText, UriKind.Absolute, out healthUrl) || healthUrl.Scheme is not ("http" or "https")))
        {
            section.Error("health_url", $"'{healthUrlText}' is not an http(s) URL.");
            return null;
        }

        return new RestartSettings(unit, command, healthCommand, healthUrl, healthTimeout, healthInterval);
    }

    private static bool ValidUnit(string unit) =>
        unit.Length > 0 && !unit.StartsWith('-') && unit.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_' or '.' or '\\' or '@');

    /// <summary>The argv of <c>systemctl restart UNIT</c>.</summary>
    public static IReadOnlyList<string> RestartArgv(string systemctl, string unit) => [systemctl, "restart", "--", unit];

    /// <summary>The argv of <c>systemctl is-active UNIT</c>, whose output is "active" once the unit is up.</summary>
    public static IReadOnlyList<string> IsActiveArgv(string systemctl, string unit) => [systemctl, "is-active", "--", unit];

    public ActionTargets Resolve(AlertSnapshot alert) => ActionTargets.One(_settings.Unit is { } unit
        ? new ActionTarget($"unit:{unit}", $"unit {unit}")
        : new ActionTarget($"command:{spec.Name}", "command " + string.Join(' ', _settings.Command!)));

    public async Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        var restart = _settings.Unit is { } unit ? RestartArgv(host.Systemctl, unit) : _settings.Command!;
        if (run.DryRun)
        {
            return ActionOutcome.Ok($"would run {string.Join(' ', restart)}, then wait up to {_settings.HealthTimeout} for {HealthDescription()}");
        }

        var result = await CommandRunner.RunAsync(restart, cancellationToken);
        if (!result.Succeeded)
        {
            return ActionOutcome.Failed($"{restart[0]} exited with {result.ExitCode}", result.Output);
        }

        var started = Stopwatch.StartNew();
        string? lastProblem = null;
        while (true)
        {
            lastProblem = await CheckHealthAsync(cancellationToken);
            if (lastProblem is null)
            {
                return ActionOutcome.Ok(Join(result.Output, $"healthy after {started.Elapsed.TotalSeconds:0.0}s"));
            }

            if (started.Elapsed >= _settings.HealthTimeout)
            {
                return ActionOutcome.Failed($"not healthy within {_settings.HealthTimeout}: {lastProblem}", result.Output);
            }

            await Task.Delay(_settings.HealthInterval, cancellationToken);
        }
    }

    private string HealthDescription() => _settings switch
    {
        { Unit: { } unit } => $"systemctl is-active {unit} to say active",
        { HealthCommand: { } command } => $"{string.Join(' ', command)} to exit 0",
        { HealthUrl: { } url } => $"{url} to answer 2xx",
        _ => "nothing (no health check)",
    };

    /// <summary>Null when healthy, else what is wrong.</summary>
    private async Task<string?> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (_settings.Unit is { } unit)
        {
            var state = await CommandRunner.RunAsync(IsActiveArgv(host.Systemctl, unit), cancellationToken);
            return state.Output.Trim() == "active" ? null : $"systemctl is-active says '{state.Output.Trim()}'";
        }

        if (_settings.HealthCommand is { } command)
        {
            var check = await CommandRunner.RunAsync(command, cancellationToken);
            return check.Succeeded ? null : $"{command[0]} exited with {check.ExitCode}";
        }

        if (_settings.HealthUrl is { } url)
        {
            try
            {
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                using var response = await client.GetAsync(url, cancellationToken);
                return response.IsSuccessStatusCode ? null : $"{url} answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                return $"{url}: {e.Message}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return $"{url} did not answer within 5s";
            }
        }

        return null;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "\n" + b;
}
