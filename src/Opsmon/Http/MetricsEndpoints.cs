using System.IO.Compression;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Opsmon.Collectors;
using Opsmon.Collectors.Exposition;

namespace Opsmon.Http;

/// <summary>/metrics (text 0.0.4 or OpenMetrics by Accept, gzip when asked) and the health endpoints.</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/metrics", ServeMetrics);
        routes.MapGet("/-/healthy", () => Results.Text("Opsmon is Healthy.\n"));
        routes.MapGet("/-/ready", () => Results.Text("Opsmon is Ready.\n"));
        return routes;
    }

    private static async Task ServeMetrics(HttpContext context)
    {
        var scraper = context.RequestServices.GetRequiredService<Scraper>();
        var sink = scraper.Collect();
        context.RequestServices.GetService<Opsmon.Agent.SelfMetrics>()?.Update(sink);
        var families = sink.Families;
        var format = ExpositionContentType.Negotiate(context.Request.Headers.Accept);
        context.Response.ContentType = ExpositionContentType.For(format);
        var gzip = context.Request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase));
        // The exposition (~200 KB for a few hundred groups) is written into the response's pipe, whose pooled
        // segments are reused: a buffer of its own would be a large-object-heap allocation on every scrape.
        if (gzip)
        {
            context.Response.Headers.ContentEncoding = "gzip";
            await using var zip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
            var pipe = PipeWriter.Create(zip, new StreamPipeWriterOptions(leaveOpen: true));
            ExpositionWriter.Write(pipe, families, format);
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
        else
        {
            ExpositionWriter.Write(context.Response.BodyWriter, families, format);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }

        context.RequestServices.GetService<Opsmon.Agent.MemoryTrimmer>()?.AfterScrape();
    }
}
