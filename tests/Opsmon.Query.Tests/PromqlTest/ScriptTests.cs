using Opsmon.Query.PromqlTest;

namespace Opsmon.Query.Tests.PromqlTest;

public sealed class ScriptTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "promql");

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.test").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_passes(string fileName)
    {
        var report = PromqlTestRunner.Run(File.ReadAllText(Path.Combine(Directory, fileName)), fileName);

        Assert.True(report.Success, report.ToString());
        Assert.True(report.Passed > 0, "the script has no eval");
    }
}
