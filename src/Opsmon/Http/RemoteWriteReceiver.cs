using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Opsmon.RemoteWrite;
using Opsmon.Storage;

namespace Opsmon.Http;

/// <summary>POST /api/v1/write: accepts Prometheus remote write 1.0 into the store.</summary>
public static class RemoteWriteReceiver
{
    public static IEndpointRouteBuilder MapRemoteWriteReceiver(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/write", ReceiveAsync);
        return routes;
    }

    private static async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        if (!WriteRequestCodec.TryDecodeCompressed(body.GetBuffer().AsSpan(0, (int)body.Length), out var series, out var error))
        {
            await Results.Text($"bad remote write request: {error}\n", statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var store = context.RequestServices.GetRequiredService<Tsdb>();
        var appender = store.Appender();
        foreach (var s in series)
        {
            foreach (var sample in s.Samples)
            {
                appender.Append(s.Labels, sample.Timestamp, sample.Value);
            }
        }

        appender.Commit();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
