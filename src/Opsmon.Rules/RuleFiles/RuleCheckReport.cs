using System.Globalization;
using System.Text;

namespace Opsmon.Rules.RuleFiles;

/// <summary>What <c>opsmon rules check</c> prints, laid out like <c>promtool check rules</c>.</summary>
public static class RuleCheckReport
{
    public static string Render(RuleFileParseResult result)
    {
        var sb = new StringBuilder();
        sb.Append("Checking ").Append(result.File).Append('\n');
        if (result.IsValid)
        {
            sb.Append("  SUCCESS: ").Append(result.RuleCount.ToString(CultureInfo.InvariantCulture)).Append(" rules found\n");
            return sb.ToString();
        }

        sb.Append("  FAILED:\n");
        foreach (var error in result.Errors)
        {
            sb.Append(error.ToString()).Append('\n');
        }

        return sb.ToString();
    }
}
