using Opsmon.Core.Series;
using Opsmon.Rules.Actions;
using Opsmon.Rules.Routing;

namespace Opsmon.Configuration;

public static partial class ConfigLoader
{
    private const string GroupByAll = "...";

    // `route:` and `receivers:` as in Alertmanager's configuration, so a route tree can be copied from one to the other.
    // https://prometheus.io/docs/alerting/latest/configuration/#route
    private static partial RoutingConfig ParseRouting(ConfigFile file, string path, YamlLocator where, List<string> errors, ActionsConfig actions)
    {
        if (file.Route is null)
        {
            if (file.Receivers is { Count: > 0 })
            {
                errors.Add(where.Error(path, "receivers", "receivers need a route: add `route: {receiver: NAME}` naming the receiver alerts go to by default."));
            }

            return new RoutingConfig();
        }

        var before = errors.Count;
        var receivers = new List<ReceiverConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (file.Receivers?.Count ?? 0); i++)
        {
            if (ParseReceiver(file.Receivers![i], $"receivers[{i}]", path, where, errors, actions) is { } receiver)
            {
                if (!names.Add(receiver.Name))
                {
                    errors.Add(where.Error(path, $"receivers[{i}].name", $"receiver '{receiver.Name}' is defined twice; receiver names must be unique."));
                }

                receivers.Add(receiver);
            }
        }

        var section = file.Route;
        if (section.Matchers is { Count: > 0 })
        {
            errors.Add(where.Error(path, "route.matchers", "the root route matches every alert and may not have matchers; put them on a child under route.routes."));
        }

        if (section.Continue is not null)
        {
            errors.Add(where.Error(path, "route.continue", "the root route may not have continue; use it on child routes."));
        }

        if (string.IsNullOrEmpty(section.Receiver))
        {
            errors.Add(where.Error(path, "route.receiver", "the root route needs a receiver: the one alerts go to when no child route matches."));
        }

        var defaults = new RouteConfig { Receiver = section.Receiver ?? string.Empty };
        var root = ParseRoute(section, "route", defaults, names, path, where, errors);
        return errors.Count > before ? new RoutingConfig() : new RoutingConfig { Route = root, Receivers = receivers };
    }

    private static RouteConfig ParseRoute(RouteSection section, string key, RouteConfig parent, HashSet<string> receivers, string path, YamlLocator where, List<string> errors)
    {
        var receiver = section.Receiver ?? parent.Receiver;
        if (section.Receiver is not null && !receivers.Contains(section.Receiver))
        {
            var known = receivers.Count == 0 ? "none is defined under receivers:" : "defined: " + string.Join(", ", receivers.Order(StringComparer.Ordinal));
            errors.Add(where.Error(path, $"{key}.receiver", $"unknown receiver '{section.Receiver}' ({known})."));
        }

        var groupBy = parent.GroupBy;
        var groupByAll = parent.GroupByAll;
        if (section.GroupBy is not null)
        {
            groupByAll = false;
            var labels = new List<string>();
            for (var i = 0; i < section.GroupBy.Count; i++)
            {
                var name = section.GroupBy[i];
                if (name == GroupByAll)
                {
                    if (section.GroupBy.Count > 1)
                    {
                        errors.Add(where.Error(path, $"{key}.group_by[{i}]", "'...' (group by every label) must be the only entry of group_by."));
                    }

                    groupByAll = true;
                }
                else if (!MatcherParser.IsLabelName(name))
                {
                    errors.Add(where.Error(path, $"{key}.group_by[{i}]", $"'{name}' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*), nor '...' for every label."));
                }
                else if (labels.Contains(name))
                {
                    errors.Add(where.Error(path, $"{key}.group_by[{i}]", $"'{name}' is listed twice."));
                }
                else
                {
                    labels.Add(name);
                }
            }

            groupBy = labels;
        }

        var matchers = new List<LabelMatcher>();
        for (var i = 0; i < (section.Matchers?.Count ?? 0); i++)
        {
            if (MatcherParser.Parse(section.Matchers![i] ?? string.Empty, out var error) is { } matcher)
            {
                matchers.Add(matcher);
            }
            else
            {
                errors.Add(where.Error(path, $"{key}.matchers[{i}]", error!));
            }
        }

        var groupWait = RouteDuration(section.GroupWait, parent.GroupWait, allowZero: true, $"{key}.group_wait", path, where, errors);
        var groupInterval = RouteDuration(section.GroupInterval, parent.GroupInterval, allowZero: false, $"{key}.group_interval", path, where, errors);
        var repeatInterval = RouteDuration(section.RepeatInterval, parent.RepeatInterval, allowZero: false, $"{key}.repeat_interval", path, where, errors);
        var route = new RouteConfig
        {
            Receiver = receiver,
            GroupBy = groupBy,
            GroupByAll = groupByAll,
            Matchers = matchers,
            Continue = section.Continue ?? false,
            GroupWait = groupWait,
            GroupInterval = groupInterval,
            RepeatInterval = repeatInterval,
        };
        var children = new List<RouteConfig>();
        for (var i = 0; i < (section.Routes?.Count ?? 0); i++)
        {
            children.Add(ParseRoute(section.Routes![i], $"{key}.routes[{i}]", route, receivers, path, where, errors));
        }

        return route with { Routes = children };
    }

    private static TimeSpan RouteDuration(string? text, TimeSpan inherited, bool allowZero, string key, string path, YamlLocator where, List<string> errors)
    {
        if (text is null)
        {
            return inherited;
        }

        if (allowZero && IsZeroDuration(text))
        {
            return TimeSpan.Zero;
        }

        if (TryDuration(text, out var value))
        {
            return value;
        }

        var range = allowZero ? "of 0s or more" : "greater than 0";
        errors.Add(where.Error(path, key, $"'{text}' is not a duration {range} (for example 30s, 5m, 4h)."));
        return inherited;
    }

    private static bool IsZeroDuration(string text) => text.Trim() is "0" or "0s" or "0m" or "0h" or "0ms";

    private static ReceiverConfig? ParseReceiver(ReceiverSection section, string key, string path, YamlLocator where, List<string> errors, ActionsConfig actions)
    {
        if (string.IsNullOrWhiteSpace(section.Name))
        {
            errors.Add(where.Error(path, $"{key}.name", "a receiver needs a name, which routes refer to."));
            return null;
        }

        var webhooks = new List<WebhookReceiverConfig>();
        for (var i = 0; i < (section.WebhookConfigs?.Count ?? 0); i++)
        {
            var w = section.WebhookConfigs![i] ?? new WebhookSection();
            var at = $"{key}.webhook_configs[{i}]";
            var url = HttpUrl(w.Url, $"{at}.url", path, where, errors);
            var timeout = Timeout(w.Timeout, $"{at}.timeout", path, where, errors);
            if (w.MaxAlerts < 0)
            {
                errors.Add(where.Error(path, $"{at}.max_alerts", $"must be 0 (no limit) or more, got {w.MaxAlerts}."));
            }

            if (url is not null)
            {
                webhooks.Add(new WebhookReceiverConfig { Url = url, SendResolved = w.SendResolved ?? true, Timeout = timeout, MaxAlerts = w.MaxAlerts });
            }
        }

        var alertmanagers = new List<AlertmanagerReceiverConfig>();
        for (var i = 0; i < (section.AlertmanagerConfigs?.Count ?? 0); i++)
        {
            var a = section.AlertmanagerConfigs![i] ?? new AlertmanagerSection();
            var at = $"{key}.alertmanager_configs[{i}]";
            var url = HttpUrl(a.Url, $"{at}.url", path, where, errors);
            var timeout = Timeout(a.Timeout, $"{at}.timeout", path, where, errors);
            var resend = TimeSpan.FromMinutes(1);
            if (a.ResendDelay is not null && !TryDuration(a.ResendDelay, out resend))
            {
                errors.Add(where.Error(path, $"{at}.resend_delay", $"'{a.ResendDelay}' is not a duration greater than 0 (for example 1m)."));
            }

            if (url is not null)
            {
                alertmanagers.Add(new AlertmanagerReceiverConfig { Url = url, Timeout = timeout, ResendDelay = resend });
            }
        }

        var names = new List<string>();
        for (var i = 0; i < (section.Actions?.Count ?? 0); i++)
        {
            var name = section.Actions![i];
            if (!actions.Names.Contains(name))
            {
                var known = actions.Names.Count == 0 ? "no action is configured under actions:" : "configured: " + string.Join(", ", actions.Names.Order(StringComparer.Ordinal));
                errors.Add(where.Error(path, $"{key}.actions[{i}]", $"unknown action '{name}' ({known})."));
            }
            else
            {
                names.Add(name);
            }
        }

        return new ReceiverConfig
        {
            Name = section.Name,
            Log = [.. (section.LogConfigs ?? []).Select(l => new LogReceiverConfig { SendResolved = l?.SendResolved ?? true })],
            Webhooks = webhooks,
            Alertmanagers = alertmanagers,
            Notify = [.. (section.NotifyConfigs ?? []).Select(n => new NotifyReceiverConfig { SendResolved = n?.SendResolved ?? true })],
            Actions = names,
        };
    }

    private static Uri? HttpUrl(string? text, string key, string path, YamlLocator where, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(where.Error(path, key, "a URL is required (for example http://127.0.0.1:9093)."));
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
        {
            errors.Add(where.Error(path, key, $"'{text}' is not an http(s) URL (for example http://127.0.0.1:5001/hook)."));
            return null;
        }

        return url;
    }

    private static TimeSpan Timeout(string? text, string key, string path, YamlLocator where, List<string> errors)
    {
        var timeout = TimeSpan.FromSeconds(10);
        if (text is not null && !TryDuration(text, out timeout))
        {
            errors.Add(where.Error(path, key, $"'{text}' is not a duration greater than 0 (for example 10s)."));
        }

        return timeout;
    }

    private sealed partial class ConfigFile
    {
        public RouteSection? Route { get; set; }

        public List<ReceiverSection>? Receivers { get; set; }
    }

    private sealed class RouteSection
    {
        public string? Receiver { get; set; }

        public List<string>? GroupBy { get; set; }

        public List<string?>? Matchers { get; set; }

        public bool? Continue { get; set; }

        public string? GroupWait { get; set; }

        public string? GroupInterval { get; set; }

        public string? RepeatInterval { get; set; }

        public List<RouteSection>? Routes { get; set; }
    }

    private sealed class ReceiverSection
    {
        public string? Name { get; set; }

        public List<LogSection?>? LogConfigs { get; set; }

        public List<WebhookSection?>? WebhookConfigs { get; set; }

        public List<AlertmanagerSection?>? AlertmanagerConfigs { get; set; }

        public List<NotifySection?>? NotifyConfigs { get; set; }

        public List<string>? Actions { get; set; }
    }

    private sealed class LogSection
    {
        public bool? SendResolved { get; set; }
    }

    private sealed class WebhookSection
    {
        public string? Url { get; set; }

        public bool? SendResolved { get; set; }

        public string? Timeout { get; set; }

        public int MaxAlerts { get; set; }
    }

    private sealed class AlertmanagerSection
    {
        public string? Url { get; set; }

        public string? Timeout { get; set; }

        public string? ResendDelay { get; set; }
    }

    private sealed class NotifySection
    {
        public bool? SendResolved { get; set; }
    }
}
