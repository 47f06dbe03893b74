using System.CommandLine;
using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Testing;

namespace Opsmon.Commands;

/// <summary><c>opsmon rules check|test FILE…</c>: promtool's two jobs on the same file formats.</summary>
public static class RulesCommand
{
    public static Command Create()
    {
        var rules = new Command("rules", "Check Prometheus rule files and run their unit tests (promtool's formats).");
        rules.Subcommands.Add(Check());
        rules.Subcommands.Add(Test());
        return rules;
    }

    private static Command Check()
    {
        var files = new Argument<FileInfo[]>("FILE") { Description = "Prometheus rule files (groups: … rules: record/alert).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("check", "Validate rule files like `promtool check rules`: every error with file, line, group and rule.");
        command.Arguments.Add(files);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                var result = RuleFileParser.ParseFile(file.FullName);
                stdout.Write(RuleCheckReport.Render(result));
                failed += result.IsValid ? 0 : 1;
            }

            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Test()
    {
        var files = new Argument<FileInfo[]>("FILE") { Description = "Rule unit-test files (rule_files, evaluation_interval, tests: input_series, alert_rule_test, promql_expr_test).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("test", "Run rule unit tests like `promtool test rules`.");
        command.Arguments.Add(files);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                var report = RuleTestRunner.RunFile(file.FullName);
                stdout.Write(report.Render());
                failed += report.Passed ? 0 : 1;
            }

            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
