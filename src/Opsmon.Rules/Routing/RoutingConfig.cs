using Opsmon.Core.Series;

namespace Opsmon.Rules.Routing;

/// <summary>
/// The routing tree and receivers from the config's <c>route:</c> and <c>receivers:</c> sections, validated:
/// every route names a receiver that exists, and every child route has its inherited settings filled in.
/// </summary>
public sealed record RoutingConfig
{
    /// <summary>True when the config has no route: alerts are kept and served by the API but sent nowhere.</summary>
    public bool IsEmpty => Route is null;

    /// <summary>The root route; it matches every alert. Null when routing is not configured.</summary>
    public RouteConfig? Route { get; init; }

    public IReadOnlyList<ReceiverConfig> Receivers { get; init; } = [];
}

/// <summary>
/// One node of the routing tree, with the values a child inherits from its parent already applied
/// (Alertmanager's semantics: receiver, group_by and the three intervals are inherited; matchers and continue are not).
/// </summary>
public sealed record RouteConfig
{
    public required string Receiver { get; init; }

    /// <summary>The labels alerts are grouped by; ignored when <see cref="GroupByAll"/> (<c>group_by: ['...']</c>).</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>Every label is a grouping label: each distinct alert is its own group.</summary>
    public bool GroupByAll { get; init; }

    /// <summary>All must match for an alert to enter this route.</summary>
    public IReadOnlyList<LabelMatcher> Matchers { get; init; } = [];

    /// <summary>After a match, keep trying the following sibling routes.</summary>
    public bool Continue { get; init; }

    /// <summary>How long a new group waits for more alerts before its first notification.</summary>
    public TimeSpan GroupWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a notification a group waits before notifying of changes.</summary>
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an unchanged firing group waits before it is notified again.</summary>
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromHours(4);

    public IReadOnlyList<RouteConfig> Routes { get; init; } = [];
}

/// <summary>A named receiver and the integrations it delivers through.</summary>
public sealed record ReceiverConfig
{
    public required string Name { get; init; }

    public IReadOnlyList<LogReceiverConfig> Log { get; init; } = [];

    public IReadOnlyList<WebhookReceiverConfig> Webhooks { get; init; } = [];

    public IReadOnlyList<AlertmanagerReceiverConfig> Alertmanagers { get; init; } = [];

    public IReadOnlyList<NotifyReceiverConfig> Notify { get; init; } = [];

    /// <summary>Names of configured actions this receiver runs.</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];
}

/// <summary><c>log_configs</c>: each notification is written to Opsmon's log.</summary>
public sealed record LogReceiverConfig
{
    public bool SendResolved { get; init; } = true;
}

/// <summary><c>webhook_configs</c>: Alertmanager's webhook JSON (version 4) POSTed to a URL.</summary>
public sealed record WebhookReceiverConfig
{
    public required Uri Url { get; init; }

    public bool SendResolved { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many alerts per payload (the rest counted in truncatedAlerts); 0 = all.</summary>
    public int MaxAlerts { get; init; }
}

/// <summary>
/// <c>alertmanager_configs</c>: alerts pushed to an Alertmanager's API v2 the way Prometheus pushes them, bypassing
/// the route's group timing (Alertmanager groups, waits and repeats itself).
/// </summary>
public sealed record AlertmanagerReceiverConfig
{
    /// <summary>The Alertmanager's base URL; alerts go to {url}/api/v2/alerts.</summary>
    public required Uri Url { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a still-active alert is re-sent (Prometheus's --rules.alert.resend-delay).</summary>
    public TimeSpan ResendDelay { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary><c>notify_configs</c>: a desktop notification through notify-send, where a session bus exists.</summary>
public sealed record NotifyReceiverConfig
{
    public bool SendResolved { get; init; } = true;
}
