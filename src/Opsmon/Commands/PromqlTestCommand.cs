using System.CommandLine;
using Opsmon.Query.PromqlTest;

namespace Opsmon.Commands;

/// <summary><c>opsmon promql-test FILE…</c>: runs PromQL test scripts in Prometheus's promqltest format.</summary>
public static class PromqlTestCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("FILE") { Description = "promqltest scripts (load / eval instant / eval range / eval_fail / eval_ordered / clear).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("promql-test", "Run PromQL test scripts in Prometheus's promqltest format; prints each failing eval and 'N passed, N failed'.");
        command.Arguments.Add(files);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            int passed = 0, failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                if (!file.Exists)
                {
                    stderr.WriteLine($"opsmon: {file.FullName}: no such file");
                    return Cli.ExitUsage;
                }

                var report = PromqlTestRunner.Run(File.ReadAllText(file.FullName), file.FullName);
                foreach (var failure in report.Failures)
                {
                    stdout.WriteLine(failure.ToString());
                }

                passed += report.Passed;
                failed += report.Failed;
            }

            stdout.WriteLine($"{passed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
