using System.CommandLine;
using Opsmon.Storage;

namespace Opsmon.Commands;

/// <summary><c>opsmon import FILE…</c>: backfills OpenMetrics text with timestamps into the store, each file atomically.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("FILE") { Description = "OpenMetrics text files with timestamps (the format promtool tsdb create-blocks-from openmetrics reads).", Arity = ArgumentArity.OneOrMore };
        var data = StoreOptions.DataOption();
        var command = new Command("import", "Backfill OpenMetrics files into the store. A file with an error is rejected whole, with its line number.");
        command.Arguments.Add(files);
        command.Options.Add(data);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var dir = parse.GetValue(data)?.FullName ?? Configuration.OpsmonConfig.DefaultDataDirectory();
            var inputs = parse.GetValue(files)!;
            foreach (var f in inputs.Where(f => !f.Exists))
            {
                stderr.WriteLine($"opsmon: {f.FullName}: no such file");
                return Cli.ExitUsage;
            }

            Directory.CreateDirectory(dir);
            var failed = 0;
            try
            {
                using var store = Tsdb.Open(new TsdbOptions(dir));
                foreach (var file in inputs)
                {
                    stderr.WriteLine($"importing {file.FullName} ({file.Length / 1024.0 / 1024.0:0.0} MiB)…");
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    var result = store.Import(file.FullName);
                    if (result.Success)
                    {
                        stdout.WriteLine($"{file.Name}: {result.Samples} samples in {result.Series} series, {result.Blocks} blocks, {started.Elapsed.TotalSeconds:0.00} s");
                    }
                    else
                    {
                        failed++;
                        stderr.WriteLine($"opsmon: {file.FullName}:{result.Line}: {result.Error} (nothing of this file was stored)");
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"opsmon: --data {dir}: {e.Message}");
                return 1;
            }

            return failed == 0 ? 0 : 1;
        });
        return command;
    }
}
