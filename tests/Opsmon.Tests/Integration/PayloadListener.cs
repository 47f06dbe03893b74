using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Opsmon.Tests.Integration;

/// <summary>A loopback HTTP endpoint that answers 200 to every POST and keeps the JSON bodies, for webhook receivers.</summary>
public sealed class PayloadListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<JsonElement> _bodies = [];
    private readonly Task _loop;

    public PayloadListener(int port)
    {
        Url = $"http://127.0.0.1:{port}/hook";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public IReadOnlyList<JsonElement> Bodies
    {
        get
        {
            lock (_bodies)
            {
                return [.. _bodies];
            }
        }
    }

    /// <summary>Polls until a body satisfies <paramref name="predicate"/>, or fails with what arrived.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan timeout, Func<string> context)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var match = Bodies.FirstOrDefault(predicate);
            if (match.ValueKind != JsonValueKind.Undefined)
            {
                return match;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no matching payload within {timeout}; received:\n{string.Join("\n", Bodies.Select(b => b.GetRawText()))}\n{context()}");
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var text = await reader.ReadToEndAsync();
                lock (_bodies)
                {
                    _bodies.Add(JsonDocument.Parse(text).RootElement.Clone());
                }
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
