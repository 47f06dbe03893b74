using Opsmon.Rules.Audit;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>
/// The receiver integration that runs actions: a receiver's <c>actions: [name, ...]</c> in the config. Each firing
/// alert of the notification goes to each named action in order (the runner decides, acts and records); resolved
/// alerts do nothing. The delivery fails when any run failed, with every failure named.
/// </summary>
public sealed class ActionIntegration : IReceiverIntegration
{
    private readonly ActionRunner _runner;
    private readonly IReadOnlyList<string> _actions;

    public ActionIntegration(ActionRunner runner, IReadOnlyList<string> actions)
    {
        var unknown = actions.Where(a => !runner.Names.Contains(a)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown actions {string.Join(", ", unknown)}; configured: {string.Join(", ", runner.Names)}", nameof(actions));
        }

        _runner = runner;
        _actions = actions;
    }

    public string Name => "action";

    public bool SendResolved => false;

    public async Task<DeliveryResult> DeliverAsync(Notification notification, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var alert in notification.Alerts.Where(a => a.IsFiring))
        {
            foreach (var action in _actions)
            {
                var records = await _runner.RunAsync(action, alert, notification, cancellationToken);
                failures.AddRange(records
                    .Where(r => r.Result == AuditResult.Failed)
                    .Select(r => $"{r.Action} on {r.Target}: {r.Error}"));
            }
        }

        return failures.Count == 0 ? DeliveryResult.Ok : DeliveryResult.Failed(string.Join("; ", failures));
    }
}
