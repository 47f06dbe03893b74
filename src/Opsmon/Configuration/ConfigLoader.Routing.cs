using Opsmon.Rules.Routing;

namespace Opsmon.Configuration;

public static partial class ConfigLoader
{
    // PLACEHOLDER: the routing work adds `route:` and `receivers:` here.
    private static partial RoutingConfig ParseRouting(ConfigFile file, string path, YamlLocator where, List<string> errors, Opsmon.Rules.Actions.ActionsConfig actions) => new();
}
