using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Testing;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests;

/// <summary>Opsmon's checker and test runner agree with Debian's promtool on every fixture: both pass or both fail.</summary>
public sealed class PromtoolParityTests
{
    public static TheoryData<string> RuleFiles() => [.. Names("rules")];

    public static TheoryData<string> TestFiles() => [.. Names("tests")];

    private static IEnumerable<string> Names(string folder) =>
        Directory.GetFiles(Fixture.Path(folder), "*.yml").Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public async Task Check_rules_agrees_with_promtool(string name)
    {
        var path = Fixture.Path(System.IO.Path.Combine("rules", name));
        var (exitCode, output) = await Promtool.RunAsync("check", "rules", path);
        var ours = RuleFileParser.ParseFile(path);

        Assert.True(exitCode is 0 or 1, output);
        Assert.True((exitCode == 0) == ours.IsValid,
            $"promtool exit {exitCode}: {output}\nopsmon: {string.Join('\n', ours.Errors)}");
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public async Task Test_rules_agrees_with_promtool(string name)
    {
        var path = Fixture.Path(System.IO.Path.Combine("tests", name));
        var (exitCode, output) = await Promtool.RunAsync("test", "rules", path);
        var ours = RuleTestRunner.RunFile(path);

        Assert.True(exitCode is 0 or 1, output);
        Assert.True((exitCode == 0) == ours.Passed, $"promtool exit {exitCode}: {output}\nopsmon: {ours.Render()}");
    }

    [Fact]
    public void Fixtures_cover_both_outcomes()
    {
        Assert.Contains(Names("rules"), n => n.StartsWith("good", StringComparison.Ordinal));
        Assert.Contains(Names("rules"), n => n.StartsWith("bad", StringComparison.Ordinal));
        Assert.Contains(Names("tests"), n => n.StartsWith("pass", StringComparison.Ordinal));
        Assert.Contains(Names("tests"), n => n.StartsWith("fail", StringComparison.Ordinal));
    }
}
