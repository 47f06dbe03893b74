namespace Opsmon.Query.Ast;

/// <summary>The type an expression evaluates to, as PromQL's type checker sees it.</summary>
public enum ValueKind
{
    Scalar,
    Vector,
    Matrix,
    String,
}

/// <summary>A parsed PromQL expression.</summary>
public abstract record Expr
{
    public abstract ValueKind Kind { get; }

    /// <summary>0-based offset of the expression's first character in the query text, for error positions.</summary>
    public int Position { get; init; }
}

public sealed record NumberLiteral(double Value) : Expr
{
    public override ValueKind Kind => ValueKind.Scalar;
}

public sealed record StringLiteral(string Value) : Expr
{
    public override ValueKind Kind => ValueKind.String;
}

public sealed record ParenExpr(Expr Inner) : Expr
{
    public override ValueKind Kind => Inner.Kind;
}

/// <summary>Unary minus; unary plus is dropped by the parser.</summary>
public sealed record UnaryExpr(Expr Inner) : Expr
{
    public override ValueKind Kind => Inner.Kind;
}
