using System.Diagnostics;
using System.Globalization;
using Opsmon.Tests.Support;

namespace Opsmon.Tests.Storage;

/// <summary>
/// The real `opsmon run` agent on loopback over a data directory the test controls, with the queries the
/// reliability tests ask of it: PromQL through the HTTP API and self-metrics from /metrics.
/// </summary>
internal sealed class StorageAgent : IAsyncDisposable
{
    private readonly RunningProcess _process;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    private StorageAgent(RunningProcess process, int port)
    {
        _process = process;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    /// <summary>Everything the agent printed (its log).</summary>
    public string Log => _process.Output;

    /// <summary>Starts the agent collecting every second into <paramref name="dataDirectory"/> and waits until it is ready.</summary>
    public static async Task<StorageAgent> StartAsync(string dataDirectory, params string[] extraArgs)
    {
        var port = RunningProcess.FreePort();
        var process = RunningProcess.StartOpsmon(["run", "--listen", $"127.0.0.1:{port}", "--data", dataDirectory, "--interval", "1s", .. extraArgs]);
        var agent = new StorageAgent(process, port);
        try
        {
            await process.WaitForHttpAsync($"{agent.BaseUrl}/-/ready", TimeSpan.FromSeconds(60));
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }

        return agent;
    }

    /// <summary>The value of the first series <paramref name="expr"/> returns (at <paramref name="time"/>, seconds), or null when it returns none.</summary>
    public async Task<double?> QueryAsync(string expr, double? time = null)
    {
        var url = $"{BaseUrl}/api/v1/query?query={Uri.EscapeDataString(expr)}";
        if (time is { } t)
        {
            url += "&time=" + t.ToString("0.###", CultureInfo.InvariantCulture);
        }

        var (status, body) = await Json.GetAsync(_client, url);
        Assert.True(status == 200, $"{expr} answered {status}: {body}\n{Log}");
        var result = body.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : ParseValue(result[0].GetProperty("value")[1].GetString()!);
    }

    /// <summary>Polls <paramref name="expr"/> until its value satisfies <paramref name="condition"/>; returns that value.</summary>
    public async Task<double> WaitForAsync(string expr, Func<double, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        double? last = null;
        while (deadline.Elapsed < timeout)
        {
            last = await QueryAsync(expr);
            if (last is { } v && condition(v))
            {
                return v;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{expr} was {last?.ToString(CultureInfo.InvariantCulture) ?? "empty"} after {timeout}:\n{Log}");
    }

    /// <summary>The sum of the samples of <paramref name="name"/> on /metrics (0 when absent).</summary>
    public async Task<double> SelfMetricAsync(string name)
    {
        var text = await _client.GetStringAsync($"{BaseUrl}/metrics");
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            {
                sum += ParseValue(line[(line.LastIndexOf(' ') + 1)..]);
            }
        }

        return sum;
    }

    /// <summary>Polls a self-metric until it satisfies <paramref name="condition"/>; returns that value.</summary>
    public async Task<double> WaitForSelfMetricAsync(string name, Func<double, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var last = double.NaN;
        while (deadline.Elapsed < timeout)
        {
            last = await SelfMetricAsync(name);
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{name} was {last.ToString(CultureInfo.InvariantCulture)} after {timeout}:\n{Log}");
    }

    /// <summary>kill -9: the agent gets no chance to flush or close anything.</summary>
    public async Task KillAsync() => await _process.DisposeAsync();

    /// <summary>A clean stop (SIGTERM), as systemd does; waits for the agent to exit.</summary>
    public async Task StopAsync()
    {
        var kill = RunningProcess.Start(Tools.Require("kill"), ["-TERM", _process.Pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await kill.DisposeAsync();
        var code = await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"the agent exited with {code} on SIGTERM:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _process.DisposeAsync();
    }

    public static double ParseValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
