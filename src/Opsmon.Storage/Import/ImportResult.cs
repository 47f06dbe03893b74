namespace Opsmon.Storage.Import;

/// <summary>The outcome of an import: counts on success; on failure the 1-based line (0 when not tied to one) and why.</summary>
public sealed record ImportResult(bool Success, long Samples, int Series, int Blocks, int Line, string? Error)
{
    public static ImportResult Failed(int line, string error) => new(false, 0, 0, 0, line, error);

    public override string ToString() => Success
        ? $"imported {Samples} samples of {Series} series into {Blocks} block(s)"
        : Line > 0 ? $"line {Line}: {Error}" : Error ?? "import failed";
}
