using Microsoft.Extensions.Logging;
using Opsmon.Rules.Routing.Integrations;

namespace Opsmon.Rules.Routing;

/// <summary>Builds each configured receiver's integrations, in the config's order: log, webhook, alertmanager, notify, actions.</summary>
public static class ReceiverIntegrations
{
    /// <param name="actions">Makes the integration for a receiver's <c>actions:</c> list; null when actions are not wired.</param>
    public static IReadOnlyDictionary<string, IReadOnlyList<IReceiverIntegration>> Build(
        RoutingConfig config, HttpClient http, string externalUrl, ILogger logger, Func<IReadOnlyList<string>, IReceiverIntegration>? actions)
    {
        var result = new Dictionary<string, IReadOnlyList<IReceiverIntegration>>(StringComparer.Ordinal);
        foreach (var receiver in config.Receivers)
        {
            var integrations = new List<IReceiverIntegration>();
            integrations.AddRange(receiver.Log.Select(c => new LogIntegration(c, logger)));
            integrations.AddRange(receiver.Webhooks.Select(c => new WebhookIntegration(c, http, externalUrl)));
            integrations.AddRange(receiver.Alertmanagers.Select(c => new AlertmanagerIntegration(c, http)));
            integrations.AddRange(receiver.Notify.Select(c => new NotifyIntegration(c)));
            if (receiver.Actions.Count > 0 && actions is not null)
            {
                integrations.Add(actions(receiver.Actions));
            }

            result[receiver.Name] = integrations;
        }

        return result;
    }
}
