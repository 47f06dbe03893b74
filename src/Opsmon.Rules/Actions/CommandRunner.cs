using System.Diagnostics;
using System.Text;

namespace Opsmon.Rules.Actions;

/// <summary>The end of one command: its exit code and its output (stdout then stderr), bounded.</summary>
public sealed record CommandResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs a command from an argv list (never through a shell), with an environment, bytes on stdin, a deadline and
/// bounded output. A command that leaves a background child holding its output open (a restart command that starts
/// a daemon) still ends when the command itself exits: output is read on the side, not to end-of-file.
/// </summary>
public static class CommandRunner
{
    public const int DefaultMaxOutput = 4096;

    public static async Task<CommandResult> RunAsync(
        IReadOnlyList<string> argv,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null,
        byte[]? stdin = null,
        int maxOutput = DefaultMaxOutput)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new CommandResult(127, $"cannot start {argv[0]}: {e.Message}");
        }

        var stdout = new BoundedBuffer(maxOutput);
        var stderr = new BoundedBuffer(maxOutput);
        var readOut = stdout.FillAsync(process.StandardOutput.BaseStream);
        var readErr = stderr.FillAsync(process.StandardError.BaseStream);
        try
        {
            try
            {
                if (stdin is not null)
                {
                    await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command did not read its stdin; that is its choice.
            }

            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            throw;
        }

        // The readers normally reach end-of-file as soon as the command exits; a background child may keep the pipe
        // open for ever, so wait for them at most 2 s (200 ms lost output under load, flaking the audit record).
        await Task.WhenAny(Task.WhenAll(readOut, readErr), Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        var output = stdout.Text() + stderr.Text();
        return new CommandResult(process.ExitCode, output.TrimEnd());
    }

    private sealed class BoundedBuffer(int max)
    {
        private readonly Lock _lock = new();
        private readonly MemoryStream _bytes = new();
        private bool _truncated;

        public async Task FillAsync(Stream stream)
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    lock (_lock)
                    {
                        var room = max - (int)_bytes.Length;
                        if (room > 0)
                        {
                            _bytes.Write(buffer, 0, Math.Min(room, n));
                        }

                        _truncated |= n > room;
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }

        public string Text()
        {
            lock (_lock)
            {
                var text = Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
                return _truncated ? text + "\n[output truncated]\n" : text;
            }
        }
    }
}
