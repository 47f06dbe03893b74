using System.Text;

namespace Opsmon.Query.PromqlTest;

/// <summary>One failing command of a script: where it is, and what was expected against what came back.</summary>
public sealed record TestFailure(string FileName, int Line, string Command, string Message)
{
    public override string ToString() => $"{FileName}:{Line}: {Command}\n    {Message.Replace("\n", "\n    ", StringComparison.Ordinal)}";
}

/// <summary>The outcome of one script: every eval is one case.</summary>
public sealed record TestReport(string FileName, int Passed, IReadOnlyList<TestFailure> Failures)
{
    public int Failed => Failures.Count;

    public bool Success => Failures.Count == 0;

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var f in Failures)
        {
            sb.AppendLine(f.ToString());
        }

        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{FileName}: {Passed} passed, {Failed} failed");
        return sb.ToString();
    }
}
