using Opsmon.Configuration;
using Opsmon.Core.Series;

namespace Opsmon.Tests.Configuration;

/// <summary>`route:` and `receivers:` in the config: Alertmanager's shape, validated with file, line and key.</summary>
public sealed class RoutingConfigTests
{
    private const string File = "/etc/opsmon/opsmon.yml";

    private static string Error(string yaml) => ConfigText.Error(yaml, File);

    [Fact]
    public void An_alertmanager_style_tree_is_read_and_children_inherit_unset_fields()
    {
        var config = ConfigLoader.Parse("""
            route:
              receiver: default
              group_by: [alertname]
              group_wait: 10s
              group_interval: 1m
              repeat_interval: 2h
              routes:
                - matchers: ['severity="critical"', 'instance=~"web-.*"']
                  receiver: ops
                  continue: true
                  group_wait: 0s
                - matchers: [team!=db]
                  group_by: ['...']
            receivers:
              - name: default
                log_configs: [{}]
              - name: ops
                webhook_configs: [{url: http://127.0.0.1:5001/hook, send_resolved: false, timeout: 3s, max_alerts: 10}]
                alertmanager_configs: [{url: http://127.0.0.1:9093, resend_delay: 30s}]
                notify_configs: [{}]
            """, File).Config!;

        var root = config.Routing.Route!;
        Assert.False(config.Routing.IsEmpty);
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromHours(2)), (root.GroupWait, root.GroupInterval, root.RepeatInterval));
        var ops = root.Routes[0];
        Assert.Equal("ops", ops.Receiver);
        Assert.True(ops.Continue);
        Assert.Equal(TimeSpan.Zero, ops.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(1), ops.GroupInterval);
        Assert.Equal(["alertname"], ops.GroupBy);
        Assert.Equal(["severity=\"critical\"", "instance=~\"web-.*\""], ops.Matchers.Select(m => m.ToString()));
        var second = root.Routes[1];
        Assert.Equal("default", second.Receiver);
        Assert.True(second.GroupByAll);
        Assert.Equal(MatcherType.NotEqual, second.Matchers.Single().Type);
        var receiver = config.Routing.Receivers.Single(r => r.Name == "ops");
        var hook = receiver.Webhooks.Single();
        Assert.Equal((new Uri("http://127.0.0.1:5001/hook"), false, TimeSpan.FromSeconds(3), 10), (hook.Url, hook.SendResolved, hook.Timeout, hook.MaxAlerts));
        Assert.Equal(TimeSpan.FromSeconds(30), receiver.Alertmanagers.Single().ResendDelay);
        Assert.Single(receiver.Notify);
        Assert.Single(config.Routing.Receivers.Single(r => r.Name == "default").Log);
    }

    [Fact]
    public void Alertmanagers_defaults_apply_when_the_route_sets_only_a_receiver()
    {
        var config = ConfigLoader.Parse("route: {receiver: default}\nreceivers: [{name: default}]\n", File).Config!;

        var root = config.Routing.Route!;
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromHours(4)), (root.GroupWait, root.GroupInterval, root.RepeatInterval));
        Assert.Empty(root.GroupBy);
    }

    [Fact]
    public void A_route_naming_an_unknown_receiver_is_an_error_with_its_line()
    {
        var error = Error("""
            route:
              receiver: default
              routes:
                - matchers: ['severity="critical"']
                  receiver: pager
            receivers:
              - name: default
            """);

        Assert.StartsWith($"{File}:5:7: route.routes[0].receiver: unknown receiver 'pager' (defined: default)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_matcher_is_an_error_naming_its_index_and_line()
    {
        var error = Error("""
            route:
              receiver: default
              routes:
                - matchers:
                    - 'severity="critical"'
                    - 'instance=~"web-("'
            receivers: [{name: default}]
            """);

        Assert.StartsWith($"{File}:6:11: route.routes[0].matchers[1]: 'instance=~\"web-(\"': invalid regular expression", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matcher_without_an_operator_says_which_are_valid()
    {
        var error = Error("route:\n  receiver: r\n  routes:\n    - matchers: [severity]\nreceivers: [{name: r}]\n");

        Assert.Contains("route.routes[0].matchers[0]", error, StringComparison.Ordinal);
        Assert.Contains("use one of =, !=, =~, !~", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_receiver_names_are_an_error_on_the_second()
    {
        var error = Error("""
            route: {receiver: default}
            receivers:
              - name: default
              - name: default
            """);

        Assert.StartsWith($"{File}:4:5: receivers[1].name: receiver 'default' is defined twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receiver_naming_an_action_not_configured_is_an_error()
    {
        var error = Error("""
            route: {receiver: fix}
            receivers:
              - name: fix
                actions: [restart-web]
            """);

        Assert.StartsWith($"{File}:4:15: receivers[0].actions[0]: unknown action 'restart-web'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_duration_is_an_error_with_an_example()
    {
        var error = Error("""
            route:
              receiver: default
              group_interval: soon
            receivers: [{name: default}]
            """);

        Assert.StartsWith($"{File}:3:3: route.group_interval: 'soon' is not a duration greater than 0 (for example 30s, 5m, 4h).", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_url_that_is_not_http_is_an_error()
    {
        var error = Error("""
            route: {receiver: hook}
            receivers:
              - name: hook
                webhook_configs:
                  - url: ftp://example.com/x
            """);

        Assert.StartsWith($"{File}:5:9: receivers[0].webhook_configs[0].url: 'ftp://example.com/x' is not an http(s) URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alertmanager_without_a_url_is_an_error()
    {
        var error = Error("route: {receiver: am}\nreceivers:\n  - name: am\n    alertmanager_configs: [{timeout: 5s}]\n");

        Assert.Contains("receivers[0].alertmanager_configs[0].url: a URL is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_in_a_receiver_is_an_error()
    {
        var error = Error("route: {receiver: r}\nreceivers:\n  - name: r\n    email_configs: [{to: a@b}]\n");

        Assert.StartsWith($"{File}:4:5: unknown key 'email_configs'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_root_route_may_not_have_matchers()
    {
        var error = Error("route:\n  receiver: r\n  matchers: ['a=\"b\"']\nreceivers: [{name: r}]\n");

        Assert.StartsWith($"{File}:3:3: route.matchers: the root route matches every alert", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Receivers_without_a_route_are_an_error()
    {
        var error = Error("receivers: [{name: r}]\n");

        Assert.StartsWith($"{File}:1:1: receivers: receivers need a route", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ellipsis_must_be_alone_in_group_by()
    {
        var error = Error("route:\n  receiver: r\n  group_by: [alertname, '...']\nreceivers: [{name: r}]\n");

        Assert.Contains("route.group_by[1]: '...' (group by every label) must be the only entry", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_is_reported_and_nothing_half_loads()
    {
        var result = ConfigLoader.Parse("""
            route:
              receiver: nobody
              group_wait: x
            receivers:
              - name: r
                webhook_configs: [{url: 'not a url'}]
            """, File);

        Assert.Null(result.Config);
        Assert.Equal(3, result.Error!.Split(Environment.NewLine).Length);
    }
}
