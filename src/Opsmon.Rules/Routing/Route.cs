using System.Text;
using Opsmon.Core.Series;

namespace Opsmon.Rules.Routing;

/// <summary>
/// A node of the routing tree at run time: its settings and a stable key that names it in group keys
/// (Alertmanager's form: the parent's key, then "/" and this route's matchers, then "/" and its index among siblings).
/// </summary>
public sealed class Route
{
    private Route(RouteConfig config, string key)
    {
        Config = config;
        Key = key;
        Children = [.. config.Routes.Select((c, i) => new Route(c, $"{key}/{MatchersText(c.Matchers)}/{i}"))];
    }

    public RouteConfig Config { get; }

    public string Key { get; }

    public IReadOnlyList<Route> Children { get; }

    public static Route Root(RouteConfig config) => new(config, MatchersText(config.Matchers));

    /// <summary>
    /// The routes an alert with <paramref name="labels"/> goes to: the deepest matching routes, trying siblings in order
    /// and stopping at the first match unless it has <c>continue: true</c>. The root matches everything.
    /// </summary>
    public IReadOnlyList<Route> Match(Labels labels)
    {
        var result = new List<Route>();
        MatchInto(labels, result);
        return result;
    }

    /// <summary>The labels of <paramref name="labels"/> this route groups by (all of them with <c>group_by: ['...']</c>).</summary>
    public Labels GroupLabels(Labels labels) =>
        Config.GroupByAll ? labels : Labels.From(Config.GroupBy.Select(n => new Label(n, labels.Get(n))).Where(l => l.Value.Length > 0));

    private bool MatchInto(Labels labels, List<Route> result)
    {
        if (!Config.Matchers.All(m => m.Matches(labels.Get(m.Name))))
        {
            return false;
        }

        var before = result.Count;
        foreach (var child in Children)
        {
            if (child.MatchInto(labels, result) && !child.Config.Continue)
            {
                break;
            }
        }

        if (result.Count == before)
        {
            result.Add(this);
        }

        return true;
    }

    private static string MatchersText(IReadOnlyList<LabelMatcher> matchers)
    {
        var sb = new StringBuilder("{");
        sb.AppendJoin(',', matchers.Select(m => m.ToString()));
        return sb.Append('}').ToString();
    }
}
