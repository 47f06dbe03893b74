namespace Opsmon.Rules.Actions;

/// <summary>
/// The configured actions from the config's <c>actions:</c> section; every action is off until listed there.
/// PLACEHOLDER: the actions work fills this in.
/// </summary>
public sealed record ActionsConfig
{
    public bool IsEmpty { get; init; } = true;

    /// <summary>The configured actions' names; a receiver's <c>actions:</c> list may name only these.</summary>
    public IReadOnlyCollection<string> Names { get; init; } = [];
}
