using Opsmon.Rules.RuleFiles;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.RuleFiles;

public sealed class RuleCheckReportTests
{
    [Fact]
    public void Valid_file_reports_its_rule_count() =>
        Assert.EndsWith("  SUCCESS: 3 rules found\n", RuleCheckReport.Render(RuleFileParser.ParseFile(Fixture.Path("rules/good.yml"))), StringComparison.Ordinal);

    [Fact]
    public void Invalid_file_lists_each_error_with_file_and_line()
    {
        var text = RuleCheckReport.Render(RuleFileParser.ParseFile(Fixture.Path("rules/bad_record_name.yml")));

        Assert.Contains("  FAILED:\n", text, StringComparison.Ordinal);
        Assert.Contains("bad_record_name.yml:4:17: group \"names\", rule 1, \"job-up\": invalid recording rule name: job-up", text, StringComparison.Ordinal);
    }
}
