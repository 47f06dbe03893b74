using Opsmon.Core.Series;

namespace Opsmon.Query;

/// <summary>Prometheus's API error types, so the HTTP layer can render the JSON envelope's <c>errorType</c>.</summary>
public enum ErrorType
{
    BadData,
    Execution,
    Timeout,
    Canceled,
    Internal,
}

public static class ErrorTypeNames
{
    /// <summary>The wire name Prometheus uses in <c>errorType</c>.</summary>
    public static string ToWireName(this ErrorType type) => type switch
    {
        ErrorType.BadData => "bad_data",
        ErrorType.Execution => "execution",
        ErrorType.Timeout => "timeout",
        ErrorType.Canceled => "canceled",
        _ => "internal",
    };
}

/// <summary>One sample of an instant vector. <see cref="T"/> is in milliseconds.</summary>
public readonly record struct Sample(Labels Metric, long T, double V);

/// <summary>One point of a range series. <see cref="T"/> is in milliseconds.</summary>
public readonly record struct Point(long T, double V);

/// <summary>A series of a matrix result.</summary>
public sealed record Series(Labels Metric, IReadOnlyList<Point> Points);

/// <summary>A query result value: Scalar, String, Vector or Matrix, as Prometheus's <c>resultType</c>.</summary>
public abstract record QueryValue
{
    public abstract string ResultType { get; }
}

public sealed record ScalarValue(long T, double V) : QueryValue
{
    public override string ResultType => "scalar";
}

public sealed record StringValue(long T, string V) : QueryValue
{
    public override string ResultType => "string";
}

public sealed record VectorValue(IReadOnlyList<Sample> Samples) : QueryValue
{
    public override string ResultType => "vector";
}

public sealed record MatrixValue(IReadOnlyList<Series> Series) : QueryValue
{
    public override string ResultType => "matrix";
}

/// <summary>The outcome of a query: a value, or an error with Prometheus's type and message.</summary>
public sealed record QueryResult(QueryValue? Value, ErrorType? ErrorType, string? Error)
{
    public bool IsSuccess => Error is null;

    public static QueryResult Success(QueryValue value) => new(value, null, null);

    public static QueryResult Failure(ErrorType type, string message) => new(null, type, message);
}

/// <summary>Raised inside evaluation and turned into a <see cref="QueryResult"/> failure at the engine's boundary.</summary>
internal sealed class QueryException(ErrorType type, string message) : Exception(message)
{
    public ErrorType Type { get; } = type;
}
