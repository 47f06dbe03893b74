using Opsmon.Query.Functions;

namespace Opsmon.Query.Ast;

public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eql,
    Neq,
    Gtr,
    Lss,
    Gte,
    Lte,
    And,
    Or,
    Unless,
}

public enum AggregateOp
{
    Sum,
    Avg,
    Min,
    Max,
    Count,
    Group,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    Quantile,
    CountValues,
}

public enum Cardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}

/// <summary>How the two sides of a vector/vector operation are matched (on/ignoring, group_left/group_right).</summary>
public sealed record VectorMatching(Cardinality Card, IReadOnlyList<string> MatchingLabels, bool On, IReadOnlyList<string> Include);

public sealed record BinaryExpr(BinaryOp Op, Expr Lhs, Expr Rhs, VectorMatching? Matching, bool ReturnBool) : Expr
{
    public override ValueKind Kind =>
        Lhs.Kind == ValueKind.Scalar && Rhs.Kind == ValueKind.Scalar ? ValueKind.Scalar : ValueKind.Vector;
}

public sealed record AggregateExpr(AggregateOp Op, Expr Inner, Expr? Param, IReadOnlyList<string> Grouping, bool Without) : Expr
{
    public override ValueKind Kind => ValueKind.Vector;
}

public sealed record CallExpr(FunctionDef Function, IReadOnlyList<Expr> Args) : Expr
{
    public override ValueKind Kind => Function.ReturnKind;
}

public static class BinaryOps
{
    public static bool IsComparison(this BinaryOp op) => op is BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Gtr or BinaryOp.Lss or BinaryOp.Gte or BinaryOp.Lte;

    public static bool IsSetOperator(this BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    public static string Symbol(this BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        BinaryOp.Pow => "^",
        BinaryOp.Atan2 => "atan2",
        BinaryOp.Eql => "==",
        BinaryOp.Neq => "!=",
        BinaryOp.Gtr => ">",
        BinaryOp.Lss => "<",
        BinaryOp.Gte => ">=",
        BinaryOp.Lte => "<=",
        BinaryOp.And => "and",
        BinaryOp.Or => "or",
        _ => "unless",
    };
}
