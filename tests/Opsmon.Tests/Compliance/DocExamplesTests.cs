using System.Text;
using Opsmon.Configuration;
using Opsmon.Rules.RuleFiles;

namespace Opsmon.Tests.Compliance;

/// <summary>
/// The YAML a user copies from the README and docs/ must load as it is: every opsmon config example goes through
/// the real ConfigLoader and every rule example through the rule-file parser. Each document's number of yaml blocks
/// is pinned, so a new example has to be classified here.
/// </summary>
public sealed class DocExamplesTests
{
    private static readonly string Root = Path.GetDirectoryName(DeployFilesTests.Deploy)!;

    public static TheoryData<string, int, string> ConfigExamples => new()
    {
        // document, yaml blocks in it, which blocks form one opsmon config ("1" or "2+3": concatenated)
        { "README.md", 2, "1" },
        { "docs/configuration.md", 3, "1" },
        { "docs/configuration.md", 3, "2+3" }, // routing names the actions of the block before it
        { "docs/doctor.md", 2, "1" },
        { "docs/rules.md", 2, "1" },
        { "docs/rules.md", 2, "2" },
    };

    [Theory]
    [MemberData(nameof(ConfigExamples))]
    public void A_config_example_loads(string document, int blocks, string which)
    {
        var examples = YamlBlocks(document);
        Assert.Equal(blocks, examples.Count);
        var yaml = string.Join("\n", which.Split('+').Select(n => examples[int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) - 1]));

        var result = ConfigLoader.Parse(yaml, Path.Combine(Root, "opsmon.yml"));

        Assert.True(result.Config is not null, $"{document} block {which}: {result.Error}\n{yaml}");
    }

    [Fact]
    public void The_doctor_guide_alert_rule_parses_as_a_rule()
    {
        var rule = YamlBlocks("docs/doctor.md")[1];
        var file = "groups:\n  - name: docs\n    rules:\n" + string.Join("\n", rule.Split('\n').Select(l => "      " + l));

        var result = RuleFileParser.Parse(file, "doctor.md");

        Assert.True(result.IsValid, string.Join("\n", result.Errors) + "\n" + file);
        Assert.Equal(1, result.RuleCount);
    }

    [Fact]
    public void The_README_prometheus_example_scrapes_the_default_listen_address()
    {
        var scrape = YamlBlocks("README.md")[1];

        Assert.Contains("'127.0.0.1:9184'", scrape, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:9184", new OpsmonConfig().Listen);
    }

    private static List<string> YamlBlocks(string document)
    {
        var blocks = new List<string>();
        StringBuilder? current = null;
        foreach (var line in File.ReadLines(Path.Combine(Root, document)))
        {
            if (current is null && line.StartsWith("```yaml", StringComparison.Ordinal))
            {
                current = new StringBuilder();
            }
            else if (current is not null && line.StartsWith("```", StringComparison.Ordinal))
            {
                blocks.Add(current.ToString());
                current = null;
            }
            else
            {
                current?.AppendLine(line);
            }
        }

        return blocks;
    }
}
