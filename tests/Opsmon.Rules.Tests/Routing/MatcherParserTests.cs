using Opsmon.Core.Series;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Tests.Routing;

public sealed class MatcherParserTests
{
    [Theory]
    [InlineData("severity=\"critical\"", MatcherType.Equal, "severity", "critical")]
    [InlineData("severity != \"info\"", MatcherType.NotEqual, "severity", "info")]
    [InlineData("instance=~\"web-[0-9]+\"", MatcherType.Regex, "instance", "web-[0-9]+")]
    [InlineData("job!~\"a|b\"", MatcherType.NotRegex, "job", "a|b")]
    [InlineData("severity=critical", MatcherType.Equal, "severity", "critical")]
    [InlineData("{team=\"db\"}", MatcherType.Equal, "team", "db")]
    [InlineData("path=\"a\\\"b\\\\c\"", MatcherType.Equal, "path", "a\"b\\c")]
    public void Alertmanager_matchers_are_read(string text, MatcherType type, string name, string value)
    {
        var matcher = MatcherParser.Parse(text, out var error);

        Assert.Null(error);
        Assert.Equal((type, name, value), (matcher!.Type, matcher.Name, matcher.Value));
    }

    [Theory]
    [InlineData("=\"x\"", "does not start with a label name")]
    [InlineData("severity", "no operator")]
    [InlineData("severity==\"x\"", "unquoted value")]
    [InlineData("severity=\"x", "closing quote is missing")]
    [InlineData("severity=\"x\" junk", "after the closing quote")]
    [InlineData("instance=~\"(\"", "invalid regular expression")]
    public void Bad_matchers_are_rejected_with_the_reason(string text, string reason)
    {
        var matcher = MatcherParser.Parse(text, out var error);

        Assert.Null(matcher);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regex_matcher_is_anchored_like_alertmanagers()
    {
        var matcher = MatcherParser.Parse("instance=~\"web\"", out _)!;

        Assert.True(matcher.Matches("web"));
        Assert.False(matcher.Matches("web-1"));
    }
}
