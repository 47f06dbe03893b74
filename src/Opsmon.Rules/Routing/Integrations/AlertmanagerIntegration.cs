using System.Net.Http.Headers;
using System.Text.Json;

namespace Opsmon.Rules.Routing.Integrations;

/// <summary>
/// <c>alertmanager_configs</c>: pushes alerts to an Alertmanager's API v2 (POST {url}/api/v2/alerts), as Prometheus does.
/// The dispatcher feeds it through an <see cref="AlertStream"/>, not the route's group timing: firing alerts carry an
/// endsAt in the future that the stream refreshes every resend_delay, resolved ones their real endsAt.
/// </summary>
public sealed class AlertmanagerIntegration(AlertmanagerReceiverConfig config, HttpClient http) : IReceiverIntegration
{
    private readonly Uri _endpoint = new(config.Url.AbsoluteUri.TrimEnd('/') + "/api/v2/alerts");

    public string Name => "alertmanager";

    /// <summary>Always: Alertmanager needs the resolved alert to resolve it before its endsAt.</summary>
    public bool SendResolved => true;

    public TimeSpan ResendDelay => config.ResendDelay;

    public async Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            WriteAlerts(writer, notification.Alerts);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(config.Timeout);
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await http.PostAsync(_endpoint, content, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Ok;
            }

            var reason = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return DeliveryResult.Failed($"POST {_endpoint}: HTTP {(int)response.StatusCode}: {reason.Trim()}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Failed($"POST {_endpoint}: no answer within {config.Timeout.TotalSeconds:0.###}s");
        }
        catch (HttpRequestException e)
        {
            return DeliveryResult.Failed($"POST {_endpoint}: {e.Message}");
        }
    }

    /// <summary>The API v2 postableAlerts body: [{labels, annotations, startsAt, endsAt, generatorURL}].</summary>
    public static void WriteAlerts(Utf8JsonWriter writer, IEnumerable<AlertSnapshot> alerts)
    {
        writer.WriteStartArray();
        foreach (var alert in alerts)
        {
            writer.WriteStartObject();
            WebhookPayload.WriteLabels(writer, "labels", alert.Labels);
            WebhookPayload.WriteMap(writer, "annotations", alert.Annotations);
            writer.WriteString("startsAt", WebhookPayload.Rfc3339(alert.StartsAt));
            if (alert.EndsAt is { } ends)
            {
                writer.WriteString("endsAt", WebhookPayload.Rfc3339(ends));
            }

            writer.WriteString("generatorURL", alert.GeneratorUrl);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
