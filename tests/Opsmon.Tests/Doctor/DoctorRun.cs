using System.Diagnostics;
using System.Text.Json;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Doctor;

/// <summary>
/// Runs <c>opsmon doctor</c> as its own process with stdout and stderr kept apart (the JSON report must parse
/// on its own) and the wall time from start to exit measured.
/// </summary>
public sealed record DoctorRun(int ExitCode, string Stdout, string Stderr, TimeSpan Wall)
{
    public static async Task<DoctorRun> RunAsync(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(Tools.Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "opsmon.dll"));
        info.ArgumentList.Add("doctor");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = info };
        var clock = Stopwatch.StartNew();
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"opsmon doctor {string.Join(' ', args)} did not exit within {timeout}:\n{await stderr}");
        }

        var wall = clock.Elapsed;
        return new DoctorRun(process.ExitCode, await stdout, await stderr, wall);
    }

    /// <summary>The --json report; fails with the captured output when it does not parse.</summary>
    public JsonElement Report()
    {
        try
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"doctor printed no JSON ({e.Message}); exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}", e);
        }
    }
}

/// <summary>Reading the doctor's --json report.</summary>
public static class ReportJson
{
    public static IEnumerable<JsonElement> Findings(this JsonElement report, string id) =>
        report.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("id").GetString() == id);

    public static bool IsProblem(this JsonElement finding) => finding.GetProperty("severity").GetString() is "warning" or "critical";

    public static IEnumerable<string> ProcessNames(this JsonElement finding) =>
        finding.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString() ?? string.Empty);

    public static IEnumerable<JsonElement> Leaks(this JsonElement report) => report.GetProperty("leaks").EnumerateArray();

    public static int? Pid(this JsonElement element) =>
        element.TryGetProperty("pid", out var pid) && pid.ValueKind == JsonValueKind.Number ? pid.GetInt32() : null;

    /// <summary>A compact view of the findings for assertion messages.</summary>
    public static string Summary(this JsonElement report) =>
        string.Join('\n', report.GetProperty("findings").EnumerateArray().Select(f =>
            $"{f.GetProperty("severity").GetString()} {f.GetProperty("id").GetString()} [{f.GetProperty("resource").GetString()}] {f.GetProperty("explanation").GetString()} :: {string.Join(", ", f.ProcessNames())}"));
}
