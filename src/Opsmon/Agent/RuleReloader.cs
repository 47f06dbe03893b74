using Microsoft.Extensions.Logging;
using Opsmon.Configuration;
using Opsmon.Rules.Alerting;

namespace Opsmon.Agent;

/// <summary>
/// Loads the configured rule files into the rule manager, at start, on SIGHUP and on POST /-/reload. A file with
/// an error keeps the old rules running; the errors (file, line, rule and reason) are logged and returned.
/// </summary>
public sealed class RuleReloader(RuleManager manager, OpsmonConfig config, ILogger<RuleReloader> logger)
{
    public IReadOnlyList<string> Reload()
    {
        var files = config.ResolveRuleFiles();
        var result = manager.Reload(files);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        foreach (var missing in files.Where(f => !File.Exists(f)))
        {
            errors.Add($"{missing}: no such rule file");
        }

        if (errors.Count == 0)
        {
            logger.LogInformation("Loaded {Rules} rules from {Files} files", manager.Groups.Sum(g => g.Rules.Count), files.Count);
        }
        else
        {
            logger.LogError("Rule reload failed, the previous rules keep running:\n{Errors}", string.Join("\n", errors));
        }

        return errors;
    }
}
