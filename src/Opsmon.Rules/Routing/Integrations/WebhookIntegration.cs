using System.Net.Http.Headers;
using System.Text.Json;

namespace Opsmon.Rules.Routing.Integrations;

/// <summary>
/// <c>webhook_configs</c>: POSTs Alertmanager's webhook JSON (version 4) to a URL, so anything written for
/// Alertmanager's webhook receiver takes Opsmon's notifications unchanged. A non-2xx answer is a failed delivery.
/// </summary>
public sealed class WebhookIntegration(WebhookReceiverConfig config, HttpClient http, string externalUrl) : IReceiverIntegration
{
    public string Name => "webhook";

    public bool SendResolved => config.SendResolved;

    public async Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            WebhookPayload.Write(writer, notification, externalUrl, config.MaxAlerts);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(config.Timeout);
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await http.PostAsync(config.Url, content, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? DeliveryResult.Ok
                : DeliveryResult.Failed($"POST {config.Url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Failed($"POST {config.Url}: no answer within {config.Timeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException e)
        {
            return DeliveryResult.Failed($"POST {config.Url}: {e.Message}");
        }
    }
}
