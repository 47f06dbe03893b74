namespace Opsmon.Rules.Routing;

/// <summary>
/// The routing tree and receivers from the config's <c>route:</c> and <c>receivers:</c> sections.
/// PLACEHOLDER: the routing work fills this in.
/// </summary>
public sealed record RoutingConfig
{
    /// <summary>True when the config has no route: alerts are kept and served by the API but sent nowhere.</summary>
    public bool IsEmpty { get; init; } = true;
}
