using Opsmon.Collectors.Linux;
using Opsmon.Collectors.Tests.TestSupport;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.Linux;

/// <summary>process-exporter's process_names rules: first match wins, comm/exe OR lists, cmdline AND regexes, templates.</summary>
public sealed class ProcessGroupingTests : IDisposable
{
    private readonly TempTree _tree = FixtureRoots.Temp().WithProcStat();

    public void Dispose() => _tree.Dispose();

    private MetricSink Collect(params ProcessGroupRule[] rules) =>
        FixtureRoots.Collect(new ProcessCollector(CollectorContext.For(_tree.Root, new CollectorOptions { ProcessGroups = rules })));

    private static Dictionary<string, double> Procs(MetricSink sink) =>
        sink.Family("namedprocess_namegroup_num_procs").Samples.ToDictionary(s => s.LabelValues[0], s => s.Value);

    [Fact]
    public void Comm_rule_matches_any_listed_comm_and_leaves_others_unreported()
    {
        _tree.Add(new FakeProcess(10, "nginx") { ParentPid = 0 })
            .Add(new FakeProcess(11, "httpd") { ParentPid = 0 })
            .Add(new FakeProcess(12, "sshd") { ParentPid = 0 });

        var sink = Collect(new ProcessGroupRule { Name = "web", Comm = ["nginx", "httpd"] });

        Assert.Equal(new Dictionary<string, double> { ["web"] = 2 }, Procs(sink));
    }

    [Fact]
    public void Exe_rule_matches_argv0_by_base_name_or_by_full_path()
    {
        _tree.Add(new FakeProcess(10, "a") { ParentPid = 0, Argv = ["/usr/bin/python3", "app.py"] })
            .Add(new FakeProcess(11, "b") { ParentPid = 0, Argv = ["/opt/bin/node", "server.js"] })
            .Add(new FakeProcess(12, "c") { ParentPid = 0, Argv = ["/usr/local/bin/node"] });

        var sink = Collect(new ProcessGroupRule { Name = "{{.ExeBase}}", Exe = ["python3", "/opt/bin/node"] });

        Assert.Equal(new Dictionary<string, double> { ["python3"] = 1, ["node"] = 1 }, Procs(sink));
    }

    [Fact]
    public void Cmdline_rule_needs_every_regex_and_exposes_named_captures()
    {
        _tree.Add(new FakeProcess(10, "java") { ParentPid = 0, Argv = ["java", "-Dapp=billing", "-jar", "billing.jar"] })
            .Add(new FakeProcess(11, "java") { ParentPid = 0, Argv = ["java", "-Dapp=search"] });

        var sink = Collect(new ProcessGroupRule { Name = "java:{{.Matches.app}}", Cmdline = [@"-Dapp=(?P<app>\w+)", @"\.jar"] });

        Assert.Equal(new Dictionary<string, double> { ["java:billing"] = 1 }, Procs(sink));
    }

    [Fact]
    public void The_first_matching_rule_names_the_process()
    {
        _tree.Add(new FakeProcess(10, "postgres") { ParentPid = 0, Argv = ["postgres: checkpointer"] });

        var sink = Collect(
            new ProcessGroupRule { Name = "pg-{{.Comm}}", Comm = ["postgres"] },
            new ProcessGroupRule { Name = "other", Cmdline = [".*"] });

        Assert.Equal(new Dictionary<string, double> { ["pg-postgres"] = 1 }, Procs(sink));
    }

    [Fact]
    public void Comm_and_exe_in_one_rule_must_both_match()
    {
        _tree.Add(new FakeProcess(10, "worker") { ParentPid = 0, Argv = ["/usr/bin/python3"] })
            .Add(new FakeProcess(11, "worker") { ParentPid = 0, Argv = ["/usr/bin/ruby"] });

        var sink = Collect(new ProcessGroupRule { Name = "{{.Comm}}-{{.ExeFull}}", Comm = ["worker"], Exe = ["python3"] });

        Assert.Equal(new Dictionary<string, double> { ["worker-/usr/bin/python3"] = 1 }, Procs(sink));
    }

    [Fact]
    public void Template_renders_pid_and_username_from_passwd()
    {
        _tree.Write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        _tree.Add(new FakeProcess(10, "job") { ParentPid = 0, Uid = 1000 })
            .Add(new FakeProcess(11, "job") { ParentPid = 0, Uid = 4242 });

        var sink = Collect(new ProcessGroupRule { Name = "{{.Username}}/{{ .PID }}", Comm = ["job"] });

        Assert.Equal(new Dictionary<string, double> { ["alice/10"] = 1, ["4242/11"] = 1 }, Procs(sink));
    }

    [Fact]
    public void Unmatched_children_of_a_tracked_process_join_its_group()
    {
        _tree.Add(new FakeProcess(10, "supervisor") { ParentPid = 1 })
            .Add(new FakeProcess(11, "sh") { ParentPid = 10 })
            .Add(new FakeProcess(12, "sleep") { ParentPid = 11 })
            .Add(new FakeProcess(13, "cron") { ParentPid = 1 });

        var sink = Collect(new ProcessGroupRule { Name = "super", Comm = ["supervisor"] });

        Assert.Equal(new Dictionary<string, double> { ["super"] = 3 }, Procs(sink));
    }

    [Fact]
    public void A_child_started_later_under_a_tracked_process_joins_with_its_full_counts()
    {
        _tree.Add(new FakeProcess(10, "supervisor") { ParentPid = 1 });
        var collector = new ProcessCollector(CollectorContext.For(_tree.Root, new CollectorOptions { ProcessGroups = [new ProcessGroupRule { Name = "super", Comm = ["supervisor"] }] }));
        FixtureRoots.Collect(collector);

        _tree.Add(new FakeProcess(20, "sh") { ParentPid = 10, UserTicks = 25, StartTicks = 5000 });
        var sink = FixtureRoots.Collect(collector);

        Assert.Equal(2, sink.Family("namedprocess_namegroup_num_procs").Value("super"));
        Assert.Equal(0.25, sink.Family("namedprocess_namegroup_cpu_seconds_total").Value("super", "user"));
    }

    [Fact]
    public void A_rule_with_an_unknown_template_action_is_rejected_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => Collect(new ProcessGroupRule { Name = "{{.Nope}}", Comm = ["x"] }));

        Assert.Contains("{{.Nope}}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_accepts_re2_named_groups_and_names_the_bad_rule()
    {
        var problems = ProcessCollector.ValidateGroupRules([
            new ProcessGroupRule { Name = "{{.Matches.app}}", Cmdline = [@"-Dapp=(?P<app>\w+)"] },
            new ProcessGroupRule { Cmdline = ["(unclosed"] },
        ]);

        var problem = Assert.Single(problems);
        Assert.StartsWith("process group rule 1: bad cmdline regex '(unclosed'", problem, StringComparison.Ordinal);
    }
}
