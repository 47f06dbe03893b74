using System.Text.RegularExpressions;
using Opsmon.Core.Series;

namespace Opsmon.Rules.Actions;

/// <summary>
/// The action types, one line each: the type name, the parser that validates its config section, and the
/// factory that builds the action. A new action is one file in this folder plus one line here.
/// </summary>
public static partial class ActionCatalog
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromMinutes(5);
    public const int DefaultMaxRuns = 3;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    /// <summary>One action type: its name, its settings parser (null on error, errors added to the section) and its factory.</summary>
    public sealed record ActionType(string Name, Func<ActionSection, ActionSettings?> Parse, Func<ActionSpec, ActionHost, IAction> Create);

    public static IReadOnlyList<ActionType> Types { get; } =
    [
        new("cache_cleanup", CacheCleanupAction.Parse, (spec, host) => new CacheCleanupAction(spec, host)),
        new("restart", RestartAction.Parse, (spec, host) => new RestartAction(spec, host)),
        new("terminate", TerminateAction.Parse, (spec, host) => new TerminateAction(spec, host)),
        new("limit", LimitAction.Parse, (spec, host) => new LimitAction(spec, host)),
        new("priority", PriorityAction.Parse, (spec, host) => new PriorityAction(spec, host)),
        new("script", ScriptAction.Parse, (spec, host) => new ScriptAction(spec, host)),
    ];

    public static IReadOnlyList<string> TypeNames { get; } = [.. Types.Select(t => t.Name)];

    public static IAction Create(ActionSpec spec, ActionHost host) =>
        Types.First(t => t.Name == spec.Type).Create(spec, host);

    /// <summary>Reads one <c>actions[i]</c> entry: the keys every action has, then its type's own; null when anything is wrong.</summary>
    public static ActionSpec? ParseSpec(ActionSection section)
    {
        var errorsBefore = section.Errors.Count;
        var name = section.String("name");
        if (name is null)
        {
            section.Error("name", "is required: the name receivers use in their actions: list.");
        }
        else if (!NamePattern().IsMatch(name))
        {
            section.Error("name", $"'{name}' is not a valid name (letters, digits, '_', '-' and '.').");
        }

        var typeName = section.String("type");
        var type = typeName is null ? null : Types.FirstOrDefault(t => t.Name == typeName);
        if (typeName is null)
        {
            section.Error("type", $"is required: one of {string.Join(", ", TypeNames)}.");
        }
        else if (type is null)
        {
            section.Error("type", $"unknown action type '{typeName}'; valid types are {string.Join(", ", TypeNames)}.");
        }

        var match = ParseMatch(section);
        var dryRun = section.Bool("dry_run", false);
        var timeout = section.Duration("timeout") ?? DefaultTimeout;
        var cooldown = section.Duration("cooldown") ?? DefaultCooldown;
        var maxRuns = section.Int("max_runs", 1, 1000) ?? DefaultMaxRuns;
        var window = section.Duration("window") ?? DefaultWindow;
        if (window < cooldown)
        {
            section.Error("window", $"must be at least the cooldown ({cooldown}); a shorter loop-guard window could never hold two runs.");
        }

        if (type is null)
        {
            // Without a type the other keys cannot be checked; the type error says what would be valid.
            return null;
        }

        var settings = type.Parse(section);
        section.RejectUnread($"type {type.Name}");
        if (section.Errors.Count > errorsBefore || settings is null || name is null || match is null)
        {
            return null;
        }

        if (settings is ITimedSettings timed && timed.MinimumTimeout() is { } least && least >= timeout)
        {
            section.Error("timeout", $"must be longer than {least} ({timed.MinimumTimeoutReason}); got {timeout}.");
            return null;
        }

        return new ActionSpec
        {
            Name = name,
            Type = type.Name,
            Match = match,
            Settings = settings,
            DryRun = dryRun,
            Timeout = timeout,
            Cooldown = cooldown,
            MaxRuns = maxRuns,
            Window = window,
        };
    }

    private static List<LabelMatcher>? ParseMatch(ActionSection section)
    {
        var items = section.List("match");
        if (items is null)
        {
            if (!section.Has("match"))
            {
                section.Error("match", "is required: label matchers the alert must satisfy, for example [alertname=\"MemoryPressure\"]; an action never acts on every alert.");
            }

            return null;
        }

        var matchers = new List<LabelMatcher>();
        for (var i = 0; i < items.Count; i++)
        {
            var m = MatcherPattern().Match(items[i]);
            if (!m.Success)
            {
                section.Error($"match[{i}]", $"'{items[i]}' is not a label matcher (name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\").");
                return null;
            }

            var value = m.Groups[3].Value;
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            var type = m.Groups[2].Value switch
            {
                "=" => MatcherType.Equal,
                "!=" => MatcherType.NotEqual,
                "=~" => MatcherType.Regex,
                _ => MatcherType.NotRegex,
            };
            try
            {
                matchers.Add(new LabelMatcher(type, m.Groups[1].Value, value));
            }
            catch (ArgumentException e)
            {
                section.Error($"match[{i}]", $"'{value}' is not a valid regular expression: {e.Message}");
                return null;
            }
        }

        if (!matchers.Any(m => !m.MatchesEmpty))
        {
            section.Error("match", "needs at least one matcher that requires a label value (for example alertname=\"MemoryPressure\"); an action never acts on every alert.");
            return null;
        }

        return matchers;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$", RegexOptions.Singleline)]
    private static partial Regex MatcherPattern();
}

/// <summary>Settings that wait for something (a grace period, a health check) and so need a timeout longer than that.</summary>
public interface ITimedSettings
{
    TimeSpan? MinimumTimeout();

    string MinimumTimeoutReason { get; }
}
