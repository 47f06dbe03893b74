using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Testing;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests;

/// <summary>
/// Opsmon's checker and test runner agree with Debian's promtool on every fixture (both pass or both fail), and on
/// the default rule pack in deploy/rules, where both must pass.
/// </summary>
public sealed class PromtoolParityTests
{
    public static TheoryData<string> RuleFiles() => [.. Names("rules")];

    public static TheoryData<string> TestFiles() => [.. Names("tests")];

    public static TheoryData<string> DeployRuleFiles() => [.. DeployRules.Files("*.rules.yml")];

    public static TheoryData<string> DeployTestFiles() => [.. DeployRules.Files("*.test.yml")];

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

    [Theory]
    [MemberData(nameof(DeployRuleFiles))]
    public async Task Default_rule_file_passes_promtool_check_and_opsmon_check(string name)
    {
        var path = DeployRules.Path(name);
        var (exitCode, output) = await Promtool.RunAsync("check", "rules", path);
        var ours = RuleFileParser.ParseFile(path);

        Assert.True(exitCode == 0, output);
        Assert.True(ours.IsValid, RuleCheckReport.Render(ours));
    }

    [Theory]
    [MemberData(nameof(DeployTestFiles))]
    public async Task Default_rule_tests_pass_in_promtool_and_opsmon(string name)
    {
        var path = DeployRules.Path(name);
        var (exitCode, output) = await Promtool.RunAsync("test", "rules", path);
        var ours = RuleTestRunner.RunFile(path);

        Assert.True(exitCode == 0, output);
        Assert.True(ours.Passed, ours.Render());
    }

    [Fact]
    public void Every_default_alert_has_a_firing_and_a_quiet_test_case()
    {
        var alerts = DeployRules.Files("*.rules.yml")
            .SelectMany(f => RuleFileParser.ParseFile(DeployRules.Path(f)).Groups)
            .SelectMany(g => g.Rules)
            .Where(r => r.IsAlerting)
            .Select(r => r.Name)
            .ToList();
        var cases = DeployRules.Files("*.test.yml")
            .Select(f => RuleTestFileParser.Parse(File.ReadAllText(DeployRules.Path(f)), f).File!)
            .SelectMany(f => f.Tests)
            .SelectMany(t => t.AlertRuleTests)
            .ToList();

        Assert.NotEmpty(alerts);
        Assert.All(alerts, alert =>
        {
            Assert.Contains(cases, c => c.AlertName == alert && c.ExpectedAlerts.Count > 0);
            Assert.Contains(cases, c => c.AlertName == alert && c.ExpectedAlerts.Count == 0);
        });
    }

    [Fact]
    public void Every_default_rule_file_has_its_test_file() =>
        Assert.All(DeployRules.Files("*.rules.yml"), f =>
            Assert.True(File.Exists(DeployRules.Path(f.Replace(".rules.yml", ".test.yml", StringComparison.Ordinal))), $"{f} has no test file"));

    /// <summary>The default rule pack under the repository's deploy/rules, found by walking up to Opsmon.slnx.</summary>
    private static class DeployRules
    {
        private static readonly string Folder = Locate();

        public static string Path(string name) => System.IO.Path.Combine(Folder, name);

        public static IEnumerable<string> Files(string pattern) =>
            Directory.GetFiles(Folder, pattern).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal);

        private static string Locate()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Opsmon.slnx")))
                {
                    return System.IO.Path.Combine(dir.FullName, "deploy", "rules");
                }
            }

            throw new InvalidOperationException($"no Opsmon.slnx above {AppContext.BaseDirectory}");
        }
    }
}
