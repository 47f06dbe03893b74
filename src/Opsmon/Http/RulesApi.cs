using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Opsmon.Agent;
using Opsmon.Rules.Alerting;

namespace Opsmon.Http;

/// <summary>/api/v1/rules, /api/v1/alerts and POST /-/reload, answering like Prometheus's.</summary>
public static class RulesApi
{
    public static IEndpointRouteBuilder MapRulesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/rules", (HttpContext c) => ApiJson.SuccessAsync(c, w => c.RequestServices.GetRequiredService<RuleManager>().WriteRulesData(w)));
        routes.MapGet("/api/v1/alerts", (HttpContext c) => ApiJson.SuccessAsync(c, w => c.RequestServices.GetRequiredService<RuleManager>().WriteAlertsData(w)));
        routes.MapPost("/-/reload", ReloadAsync);
        return routes;
    }

    private static async Task ReloadAsync(HttpContext context)
    {
        var errors = context.RequestServices.GetRequiredService<RuleReloader>().Reload();
        if (errors.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await context.Response.WriteAsync("failed to reload config: " + string.Join("\n", errors) + "\n", context.RequestAborted).ConfigureAwait(false);
    }
}
