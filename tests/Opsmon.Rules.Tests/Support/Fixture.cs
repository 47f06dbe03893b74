namespace Opsmon.Rules.Tests.Support;

public static class Fixture
{
    public static string Path(string relative) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);
}
