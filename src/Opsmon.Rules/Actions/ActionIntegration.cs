using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>
/// The receiver integration that runs actions: a receiver's <c>actions: [name, ...]</c> in the config.
/// PLACEHOLDER: the actions work fills this in; the constructor is the contract the routing wiring relies on.
/// </summary>
public sealed class ActionIntegration(ActionRunner runner, IReadOnlyList<string> actions) : IReceiverIntegration
{
    public string Name => "action";

    public bool SendResolved => false;

    public Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        _ = runner;
        _ = actions;
        return Task.FromResult(DeliveryResult.Failed("actions are not implemented yet"));
    }
}
