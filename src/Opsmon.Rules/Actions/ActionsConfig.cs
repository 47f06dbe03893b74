namespace Opsmon.Rules.Actions;

/// <summary>
/// The configured actions from the config's <c>actions:</c> section; every action is off until listed there.
/// PLACEHOLDER: the actions work fills this in.
/// </summary>
public sealed record ActionsConfig
{
    public bool IsEmpty { get; init; } = true;
}
