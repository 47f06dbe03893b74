using Opsmon.Core.Series;

namespace Opsmon.Query.Ast;

public enum AtKind
{
    Timestamp,
    Start,
    End,
}

/// <summary>The <c>@</c> modifier: a fixed evaluation time, or the query's start() or end().</summary>
public sealed record AtModifier(AtKind Kind, long TimestampMs);

/// <summary><c>name{matchers} offset d @ t</c>.</summary>
public sealed record VectorSelector(string? Name, IReadOnlyList<LabelMatcher> Matchers) : Expr
{
    public override ValueKind Kind => ValueKind.Vector;

    public long OffsetMs { get; init; }

    public bool HasOffset { get; init; }

    public AtModifier? At { get; init; }
}

/// <summary><c>selector[range]</c>.</summary>
public sealed record MatrixSelector(VectorSelector Selector, long RangeMs) : Expr
{
    public override ValueKind Kind => ValueKind.Matrix;
}

/// <summary><c>expr[range:step] offset d @ t</c>; a null step means the default evaluation interval.</summary>
public sealed record SubqueryExpr(Expr Inner, long RangeMs, long? StepMs) : Expr
{
    public override ValueKind Kind => ValueKind.Matrix;

    public long OffsetMs { get; init; }

    public bool HasOffset { get; init; }

    public AtModifier? At { get; init; }
}
