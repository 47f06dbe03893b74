namespace Opsmon.Rules.RuleFiles;

/// <summary>One rule as written: exactly one of <see cref="Record"/> and <see cref="Alert"/> is set.</summary>
public sealed record RuleDefinition(
    string? Record,
    string? Alert,
    string Expr,
    TimeSpan For,
    TimeSpan KeepFiringFor,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    int Line)
{
    public string Name => Record ?? Alert ?? string.Empty;

    public bool IsAlerting => Alert is not null;
}

/// <summary>A rule group: evaluated together, in order, every <see cref="Interval"/> (null: the global evaluation interval).</summary>
public sealed record RuleGroupDefinition(string Name, string File, TimeSpan? Interval, int Limit, IReadOnlyList<RuleDefinition> Rules, int Line);

/// <summary>A problem in a rule file, located as promtool does: file, line and column, and the group and rule (1-based index).</summary>
public sealed record RuleFileError(string File, int Line, int Column, string Message, string? Group = null, int? RuleIndex = null, string? RuleName = null)
{
    public override string ToString() => RuleIndex is { } index
        ? $"{File}:{Line}:{Column}: group \"{Group}\", rule {index}, \"{RuleName}\": {Message}"
        : Group is not null
            ? $"{File}:{Line}:{Column}: group \"{Group}\": {Message}"
            : $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>The groups of one file and every error found; the groups are usable only when <see cref="Errors"/> is empty.</summary>
public sealed record RuleFileParseResult(string File, IReadOnlyList<RuleGroupDefinition> Groups, IReadOnlyList<RuleFileError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    public int RuleCount => Groups.Sum(g => g.Rules.Count);
}
