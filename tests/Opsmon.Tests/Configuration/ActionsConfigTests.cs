using Opsmon.Configuration;
using Opsmon.Core.Series;
using Opsmon.Rules.Actions;

namespace Opsmon.Tests.Configuration;

public sealed class ActionsConfigTests
{
    private const string File = "/etc/opsmon/opsmon.yml";

    private static ActionsConfig Actions(string yaml)
    {
        var result = ConfigLoader.Parse(yaml, File);
        Assert.True(result.Config is not null, result.Error);
        return result.Config.Actions;
    }

    private static string[] Errors(string yaml)
    {
        var result = ConfigLoader.Parse(yaml, File);
        Assert.Null(result.Config);
        return result.Error!.Split(Environment.NewLine);
    }

    [Fact]
    public void Without_an_actions_section_no_action_is_on()
    {
        var actions = Actions("listen: 127.0.0.1:9184");

        Assert.True(actions.IsEmpty);
        Assert.Empty(actions.Names);
    }

    [Fact]
    public void Every_action_type_loads_with_its_settings()
    {
        var actions = Actions("""
            data: /var/lib/opsmon
            actions:
              - name: clean-cache
                type: cache_cleanup
                match: ['alertname="DiskWillFill"']
                directories: [/var/cache/app]
                max_age: 7d
                max_size: 2GB
              - name: restart-web
                type: restart
                match: ['alertname="WebDown"', 'severity=~"critical|page"']
                unit: web.service
                cooldown: 10m
                max_runs: 2
                window: 2h
              - name: kill-hog
                type: terminate
                match: [alertname=MemoryHog]
                process: {comm: "stress-ng.*", user: root}
                grace_period: 5s
                timeout: 20s
              - name: cap-build
                type: limit
                match: ['alertname="MemoryPressure"']
                cgroup: /build.slice
                memory_high: 1GB
                memory_max: max
                cpu_max: 150%
                io_weight: 50
              - name: nice-batch
                type: priority
                match: ['alertname="CpuSaturated"']
                process: {cmdline: ".*batch.*"}
                nice: 10
                ionice_class: best-effort
                ionice_level: 7
              - name: page
                type: script
                match: ['alertname="Anything"']
                command: [/usr/local/bin/page, --urgent]
                dry_run: true
            """);

        Assert.Equal(["clean-cache", "restart-web", "kill-hog", "cap-build", "nice-batch", "page"], actions.Names);
        Assert.Equal("/var/lib/opsmon/actions.log", actions.AuditLog);

        var clean = (CacheCleanupSettings)actions.Actions[0].Settings;
        Assert.Equal(["/var/cache/app"], clean.Directories);
        Assert.Equal(TimeSpan.FromDays(7), clean.MaxAge);
        Assert.Equal(2L << 30, clean.MaxSize);
        Assert.False(clean.DropPageCache);

        var restart = actions.Actions[1];
        Assert.Equal("web.service", ((RestartSettings)restart.Settings).Unit);
        Assert.Equal((TimeSpan.FromMinutes(10), 2, TimeSpan.FromHours(2)), (restart.Cooldown, restart.MaxRuns, restart.Window));
        Assert.True(restart.Matches(Labels.From(("alertname", "WebDown"), ("severity", "page"))));
        Assert.False(restart.Matches(Labels.From(("alertname", "WebDown"), ("severity", "info"))));

        var kill = (TerminateSettings)actions.Actions[2].Settings;
        Assert.Equal(TimeSpan.FromSeconds(5), kill.GracePeriod);
        Assert.Equal(0u, kill.Selector.Uid);
        Assert.Equal("pid", kill.Selector.PidLabel);
        Assert.True(actions.Actions[2].Matches(Labels.From(("alertname", "MemoryHog"))));

        var limit = (LimitSettings)actions.Actions[3].Settings;
        Assert.Equal("/build.slice", limit.Cgroup);
        Assert.Equal((1L << 30, -1L), (limit.MemoryHigh!.Value, limit.MemoryMax!.Value));
        Assert.Equal("150000 100000", limit.CpuMax!.CgroupValue);
        Assert.Equal(50, limit.IoWeight);

        var priority = (PrioritySettings)actions.Actions[4].Settings;
        Assert.Equal((10, 2, 7), (priority.Nice!.Value, priority.IoClass!.Value, priority.IoLevel!.Value));

        Assert.True(actions.Actions[5].DryRun);
        Assert.Equal(["/usr/local/bin/page", "--urgent"], ((ScriptSettings)actions.Actions[5].Settings).Command);
    }

    [Fact]
    public void Defaults_are_off_dry_run_a_minute_timeout_five_minute_cooldown_and_three_runs_an_hour()
    {
        var spec = Actions("""
            actions:
              - name: page
                type: script
                match: ['alertname="X"']
                command: [/bin/true]
            """).Actions[0];

        Assert.False(spec.DryRun);
        Assert.Equal(TimeSpan.FromMinutes(1), spec.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(5), spec.Cooldown);
        Assert.Equal(3, spec.MaxRuns);
        Assert.Equal(TimeSpan.FromHours(1), spec.Window);
    }

    [Fact]
    public void A_relative_audit_log_is_relative_to_the_config_file()
    {
        var actions = Actions("""
            audit_log: logs/actions.jsonl
            actions:
              - {name: page, type: script, match: ['alertname="X"'], command: [/bin/true]}
            """);

        Assert.Equal("/etc/opsmon/logs/actions.jsonl", actions.AuditLog);
    }

    [Fact]
    public void An_unknown_type_names_its_line_and_lists_the_valid_types()
    {
        var errors = Errors("""
            actions:
              - name: a
                type: reboot
                match: ['alertname="X"']
            """);

        Assert.Equal(
            [$"{File}:3:5: actions[0].type: unknown action type 'reboot'; valid types are cache_cleanup, restart, terminate, limit, priority, script."],
            errors);
    }

    [Fact]
    public void A_key_that_does_not_apply_to_the_type_is_an_error_with_its_line()
    {
        var errors = Errors("""
            actions:
              - name: a
                type: script
                match: ['alertname="X"']
                command: [/bin/true]
                grace_period: 10s
            """);

        var error = Assert.Single(errors);
        Assert.StartsWith($"{File}:6:5: actions[0].grace_period: unknown key for type script; valid keys are ", error, StringComparison.Ordinal);
        Assert.Contains("command", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_grace_period_names_its_key_and_what_is_valid()
    {
        var errors = Errors("""
            actions:
              - name: a
                type: script
                match: ['alertname="X"']
                command: [/bin/true]
              - name: b
                type: script
                match: ['alertname="X"']
                command: [/bin/true]
              - name: c
                type: terminate
                match: ['alertname="X"']
                process: {comm: sleep}
                grace_period: soon
            """);

        Assert.Equal([$"{File}:14:5: actions[2].grace_period: 'soon' is not a duration (for example 500ms, 30s, 5m, 1h)."], errors);
    }

    [Fact]
    public void A_grace_period_as_long_as_the_timeout_is_an_error()
    {
        var errors = Errors("""
            actions:
              - name: c
                type: terminate
                match: ['alertname="X"']
                process: {comm: sleep}
                grace_period: 30s
                timeout: 30s
            """);

        Assert.Equal([$"{File}:7:5: actions[0].timeout: must be longer than 00:00:30 (the grace_period between SIGTERM and SIGKILL); got 00:00:30."], errors);
    }

    [Fact]
    public void Duplicate_names_are_an_error_naming_the_first()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: script, match: ['alertname="X"'], command: [/bin/true]}
              - {name: a, type: script, match: ['alertname="Y"'], command: [/bin/false]}
            """);

        Assert.Equal([$"{File}:3:6: actions[1].name: 'a' is already the name of actions[0]; action names must be unique."], errors);
    }

    [Fact]
    public void An_action_without_match_is_an_error()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: script, command: [/bin/true]}
            """);

        var error = Assert.Single(errors);
        Assert.StartsWith($"{File}:2:5: actions[0].match: is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_match_that_every_alert_satisfies_is_an_error()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: script, match: ['team=~".*"'], command: [/bin/true]}
            """);

        Assert.StartsWith($"{File}:2:29: actions[0].match: needs at least one matcher that requires a label value", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ionice_level_for_the_idle_class_is_the_only_error_reported()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: priority, match: ['alertname="X"'], process: {comm: batch}, ionice_class: idle, ionice_level: 4}
            """);

        // Not also "process: unknown key", which an early return used to add.
        Assert.Contains("actions[0].ionice_level: applies to ionice_class realtime or best-effort only", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_process_action_without_a_process_selector_is_an_error()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: terminate, match: ['alertname="X"']}
            """);

        Assert.StartsWith($"{File}:2:5: actions[0].process: is required", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_process_selector_with_only_a_user_is_an_error()
    {
        var errors = Errors("""
            actions:
              - name: a
                type: priority
                match: ['alertname="X"']
                nice: 10
                process:
                  user: root
            """);

        Assert.Equal([$"{File}:6:5: actions[0].process: needs at least one of comm, exe or cmdline (regexes matched against the whole value)."], errors);
    }

    [Fact]
    public void A_bad_regex_in_a_process_selector_names_the_nested_key()
    {
        var errors = Errors("""
            actions:
              - name: a
                type: terminate
                match: ['alertname="X"']
                process:
                  comm: "(unclosed"
            """);

        Assert.StartsWith($"{File}:6:7: actions[0].process.comm: '(unclosed' is not a valid regular expression", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_restart_needs_exactly_one_of_unit_and_command()
    {
        var errors = Errors("""
            actions:
              - name: a
                type: restart
                match: ['alertname="X"']
                unit: web.service
                command: [/usr/bin/web, --restart]
            """);

        Assert.StartsWith($"{File}:5:5: actions[0].unit: a restart needs exactly one of unit", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_cleanup_of_the_root_directory_is_an_error()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: cache_cleanup, match: ['alertname="X"'], directories: [/], max_age: 1d}
            """);

        Assert.StartsWith($"{File}:2:76: actions[0].directories[0]: '/' must be an absolute path below /", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cpu_limit_in_neither_form_says_what_is_valid()
    {
        var errors = Errors("""
            actions:
              - {name: a, type: limit, match: ['alertname="X"'], unit: web.service, cpu_max: two cores}
            """);

        Assert.StartsWith($"{File}:2:73: actions[0].cpu_max: 'two cores' is not a CPU limit: a percentage of one CPU", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_action_is_reported_and_none_loads()
    {
        var result = ConfigLoader.Parse("""
            actions:
              - {name: good, type: script, match: ['alertname="X"'], command: [/bin/true]}
              - {name: bad1, type: script, match: ['alertname="X"']}
              - {name: bad2, type: priority, match: ['alertname="X"'], process: {comm: x}, nice: 40}
            """, File);

        Assert.Null(result.Config);
        var lines = result.Error!.Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, l => l.Contains("actions[1].command: is required", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("actions[2].nice: '40' is not a whole number from -20 to 19.", StringComparison.Ordinal));
    }
}
