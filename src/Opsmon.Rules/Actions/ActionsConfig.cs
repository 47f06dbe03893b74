using Opsmon.Core.Series;

namespace Opsmon.Rules.Actions;

/// <summary>
/// The configured actions from the config's <c>actions:</c> section; every action is off until listed there.
/// Built by <see cref="Parse"/>, which validates every entry up front: it yields either every action or errors.
/// </summary>
public sealed record ActionsConfig
{
    private readonly IReadOnlyCollection<string>? _names;
    private readonly bool? _isEmpty;

    public bool IsEmpty
    {
        get => _isEmpty ?? (Actions.Count == 0 && Names.Count == 0);
        init => _isEmpty = value;
    }

    /// <summary>The configured actions' names; a receiver's <c>actions:</c> list may name only these.</summary>
    public IReadOnlyCollection<string> Names
    {
        get => _names ?? [.. Actions.Select(a => a.Name)];
        init => _names = value;
    }

    /// <summary>The actions, in the config's order.</summary>
    public IReadOnlyList<ActionSpec> Actions { get; init; } = [];

    /// <summary>
    /// The audit log (JSON lines). Null until set: the config's <c>audit_log:</c> key, or
    /// <see cref="WithDataDirectory"/> for the default <c>DATA_DIR/actions.log</c>.
    /// </summary>
    public string? AuditLog { get; init; }

    /// <summary>The default audit log, <c>DATA_DIR/actions.log</c>, unless the config named one.</summary>
    public ActionsConfig WithDataDirectory(string dataDirectory) =>
        AuditLog is null ? this with { AuditLog = System.IO.Path.Combine(dataDirectory, "actions.log") } : this;

    /// <summary>
    /// Reads the <c>actions:</c> list (each entry a mapping of plain YAML values). Errors name the key path
    /// (<c>actions[2].grace_period</c>) and say what would be valid; with any error the result holds no actions.
    /// </summary>
    public static ActionsConfig Parse(IReadOnlyList<IReadOnlyDictionary<string, object?>?> sections, string? auditLog, List<ActionConfigError> errors)
    {
        var specs = new List<ActionSpec>();
        var firstError = errors.Count;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sections.Count; i++)
        {
            var path = $"actions[{i}]";
            if (sections[i] is not { } values)
            {
                errors.Add(new ActionConfigError(path, "an action must be a mapping with at least name, type and match."));
                continue;
            }

            var section = new ActionSection(path, values, errors);
            var spec = ActionCatalog.ParseSpec(section);
            if (spec is null)
            {
                continue;
            }

            if (seen.TryGetValue(spec.Name, out var first))
            {
                section.Error("name", $"'{spec.Name}' is already the name of actions[{first}]; action names must be unique.");
                continue;
            }

            seen[spec.Name] = i;
            specs.Add(spec);
        }

        if (auditLog is not null && auditLog.Trim().Length == 0)
        {
            errors.Add(new ActionConfigError("audit_log", "must be a file path (the default is DATA_DIR/actions.log)."));
        }

        return errors.Count > firstError ? new ActionsConfig() : new ActionsConfig { Actions = specs, AuditLog = auditLog };
    }
}

/// <summary>
/// One action's configuration: what every action has (its selector, dry run, timeout, cooldown, loop guard) and
/// its type's own settings, already validated.
/// </summary>
public sealed record ActionSpec
{
    public required string Name { get; init; }

    /// <summary>The action type, one of <see cref="ActionCatalog.TypeNames"/>.</summary>
    public required string Type { get; init; }

    /// <summary>Label matchers the alert must satisfy (all of them); never empty.</summary>
    public required IReadOnlyList<LabelMatcher> Match { get; init; }

    public required ActionSettings Settings { get; init; }

    public bool DryRun { get; init; }

    public TimeSpan Timeout { get; init; } = ActionCatalog.DefaultTimeout;

    /// <summary>No second run on the same target within this long after a run.</summary>
    public TimeSpan Cooldown { get; init; } = ActionCatalog.DefaultCooldown;

    /// <summary>The loop guard: at most this many runs within <see cref="Window"/>, then the action is suspended.</summary>
    public int MaxRuns { get; init; } = ActionCatalog.DefaultMaxRuns;

    public TimeSpan Window { get; init; } = ActionCatalog.DefaultWindow;

    public bool Matches(Labels labels) => Match.All(m => m.Matches(labels.Get(m.Name)));
}

/// <summary>An action type's own settings; each type has one sealed record deriving from this.</summary>
public abstract record ActionSettings;
