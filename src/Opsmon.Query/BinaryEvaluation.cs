using System.Runtime.CompilerServices;
using Opsmon.Core.Series;
using Opsmon.Query.Ast;
using Opsmon.Query.Functions;

namespace Opsmon.Query;

/// <summary>Binary operators between scalars and vectors, with Prometheus's vector matching rules and error messages.</summary>
internal static class BinaryEvaluation
{
    /// <param name="memo">Label sets derived from input label sets, kept across the steps of a query so a series' are worked out once.</param>
    public static EvalValue Evaluate(BinaryExpr bin, EvalValue lhs, EvalValue rhs, long ts, LabelMemo? memo = null)
    {
        switch (lhs, rhs)
        {
            case (EvalScalar l, EvalScalar r):
                {
                    var (value, keep) = Apply(bin.Op, l.V, r.V);
                    return new EvalScalar(bin.Op.IsComparison() ? (keep ? 1 : 0) : value);
                }

            case (EvalVector l, EvalScalar r):
                return new EvalVector(VectorScalar(bin, l.Samples, r.V, swap: false, ts, memo));
            case (EvalScalar l, EvalVector r):
                return new EvalVector(VectorScalar(bin, r.Samples, l.V, swap: true, ts, memo));
            case (EvalVector l, EvalVector r):
                var matching = bin.Matching!;
                return new EvalVector(bin.Op switch
                {
                    BinaryOp.And => And(l.Samples, r.Samples, matching, ts, memo),
                    BinaryOp.Or => Or(l.Samples, r.Samples, matching, ts, memo),
                    BinaryOp.Unless => Unless(l.Samples, r.Samples, matching, ts, memo),
                    _ => VectorVector(bin, l.Samples, r.Samples, matching, ts, memo),
                });
            default:
                throw new QueryException(ErrorType.Internal, "binary operation on unsupported types");
        }
    }

    /// <summary>The value and, for comparisons, whether the sample is kept (the value is then the left-hand side).</summary>
    public static (double Value, bool Keep) Apply(BinaryOp op, double l, double r) => op switch
    {
        BinaryOp.Add => (l + r, true),
        BinaryOp.Sub => (l - r, true),
        BinaryOp.Mul => (l * r, true),
        BinaryOp.Div => (l / r, true),
        BinaryOp.Mod => (l % r, true),
        BinaryOp.Pow => (Math.Pow(l, r), true),
        BinaryOp.Atan2 => (Math.Atan2(l, r), true),
        BinaryOp.Eql => (l, l == r),
        BinaryOp.Neq => (l, l != r),
        BinaryOp.Gtr => (l, l > r),
        BinaryOp.Lss => (l, l < r),
        BinaryOp.Gte => (l, l >= r),
        BinaryOp.Lte => (l, l <= r),
        _ => throw new QueryException(ErrorType.Internal, "operator not allowed here: " + op.Symbol()),
    };

    private static bool DropsMetricName(BinaryOp op) => !op.IsComparison() && !op.IsSetOperator();

    // Run at every step of a range query: compiled optimized at once, since a query is often over before tiered compilation would replace the quick first code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<Sample> VectorScalar(BinaryExpr bin, List<Sample> vector, double scalar, bool swap, long ts, LabelMemo? memo)
    {
        var result = new List<Sample>(vector.Count);
        foreach (var sample in vector)
        {
            var (l, r) = swap ? (scalar, sample.V) : (sample.V, scalar);
            var (value, keep) = Apply(bin.Op, l, r);
            // A comparison keeps the vector element's value, even when the scalar is on the left.
            if (bin.Op.IsComparison() && swap)
            {
                value = r;
            }

            if (bin.ReturnBool)
            {
                value = keep ? 1 : 0;
                keep = true;
            }

            if (!keep)
            {
                continue;
            }

            var metric = DropsMetricName(bin.Op) || bin.ReturnBool ? WithoutName(sample.Metric, memo) : sample.Metric;
            result.Add(new Sample(metric, ts, value));
        }

        return result;
    }

    /// <summary>The labels that identify a match group: the <c>on</c> labels, or all but the <c>ignoring</c> labels and the name.</summary>
    private static Labels Signature(Labels labels, VectorMatching matching, LabelMemo? memo)
    {
        if (memo is null)
        {
            return Signature(labels, matching);
        }

        if (!memo.Signatures.TryGetValue(labels, out var signature))
        {
            signature = Signature(labels, matching);
            memo.Signatures.Add(labels, signature);
        }

        return signature;
    }

    private static Labels WithoutName(Labels labels, LabelMemo? memo)
    {
        if (memo is null)
        {
            return labels.WithoutName();
        }

        if (!memo.WithoutName.TryGetValue(labels, out var without))
        {
            without = labels.WithoutName();
            memo.WithoutName.Add(labels, without);
        }

        return without;
    }

    private static Labels Signature(Labels labels, VectorMatching matching)
    {
        if (matching.On)
        {
            return labels.Keep(matching.MatchingLabels);
        }

        var drop = new string[matching.MatchingLabels.Count + 1];
        drop[0] = Labels.MetricName;
        for (var i = 0; i < matching.MatchingLabels.Count; i++)
        {
            drop[i + 1] = matching.MatchingLabels[i];
        }

        return labels.Without(drop);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<Sample> VectorVector(BinaryExpr bin, List<Sample> lhs, List<Sample> rhs, VectorMatching matching, long ts, LabelMemo? memo)
    {
        if (matching.Card == Cardinality.OneToMany)
        {
            (lhs, rhs) = (rhs, lhs);
        }

        var result = new List<Sample>(Math.Min(lhs.Count, rhs.Count));

        // The right side is now the "one" side: its match groups must be unique.
        var rightSigs = memo?.RightSignatures ?? [];
        rightSigs.Clear();
        foreach (var rs in rhs)
        {
            var sig = Signature(rs.Metric, matching, memo);
            if (rightSigs.TryGetValue(sig, out var duplicate))
            {
                var side = matching.Card == Cardinality.OneToMany ? "left" : "right";
                throw new QueryException(ErrorType.Execution,
                    $"found duplicate series for the match group {GoString(sig)} on the {side} hand-side of the operation: [{GoString(rs.Metric)}, {GoString(duplicate.Metric)}]" +
                    ";many-to-many matching not allowed: matching labels must be unique on one side");
            }

            rightSigs[sig] = rs;
        }

        var matchedSigs = memo?.MatchedSignatures ?? [];
        matchedSigs.Clear();
        foreach (var ls in lhs)
        {
            var sig = Signature(ls.Metric, matching, memo);
            if (!rightSigs.TryGetValue(sig, out var rs))
            {
                continue;
            }

            var (fl, fr) = matching.Card == Cardinality.OneToMany ? (rs.V, ls.V) : (ls.V, rs.V);
            var (value, keep) = Apply(bin.Op, fl, fr);
            if (bin.ReturnBool)
            {
                value = keep ? 1 : 0;
            }
            else if (!keep)
            {
                continue;
            }

            if (memo is null || !memo.Results.TryGetValue((ls.Metric, rs.Metric), out var metric))
            {
                metric = ResultMetric(ls.Metric, rs.Metric, bin.Op, matching);
                if (bin.ReturnBool)
                {
                    metric = metric.WithoutName();
                }

                memo?.Results.Add((ls.Metric, rs.Metric), metric);
            }

            var exists = matchedSigs.TryGetValue(sig, out var inserted);
            if (matching.Card == Cardinality.OneToOne)
            {
                if (exists)
                {
                    throw new QueryException(ErrorType.Execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }

                matchedSigs[sig] = null;
            }
            else
            {
                if (!exists)
                {
                    inserted = [];
                    matchedSigs[sig] = inserted;
                }

                if (!inserted!.Add(metric))
                {
                    throw new QueryException(ErrorType.Execution, "multiple matches for labels: grouping labels must ensure unique matches");
                }
            }

            result.Add(new Sample(metric, ts, value));
        }

        return result;
    }

    /// <summary>Go's labels.String(), which Prometheus's error messages use: every label, the name included, in braces.</summary>
    internal static string GoString(Labels labels)
    {
        var sb = new System.Text.StringBuilder("{");
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(labels[i].Name).Append('=').Append(GoQuote(labels[i].Value));
        }

        return sb.Append('}').ToString();
    }

    /// <summary>Go's strconv.Quote for the characters label values usually hold.</summary>
    private static string GoQuote(string value)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => sb.Append("\\\\"),
                '"' => sb.Append("\\\""),
                '\n' => sb.Append("\\n"),
                '\t' => sb.Append("\\t"),
                '\r' => sb.Append("\\r"),
                _ when char.IsControl(c) => sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }

    private static Labels ResultMetric(Labels lhs, Labels rhs, BinaryOp op, VectorMatching matching)
    {
        var metric = DropsMetricName(op) ? lhs.WithoutName() : lhs;
        if (matching.Card == Cardinality.OneToOne)
        {
            if (matching.On)
            {
                metric = metric.Keep(matching.MatchingLabels);
            }
            else if (matching.MatchingLabels.Count > 0)
            {
                metric = metric.Without([.. matching.MatchingLabels]);
            }
        }

        if (matching.Include.Count > 0)
        {
            var labels = metric.AsSpan().ToArray().ToList();
            foreach (var name in matching.Include)
            {
                labels.RemoveAll(l => l.Name == name);
                var value = rhs.Get(name);
                if (value.Length > 0)
                {
                    labels.Add(new Label(name, value));
                }
            }

            metric = Labels.From(labels);
        }

        return metric;
    }

    private static List<Sample> And(List<Sample> lhs, List<Sample> rhs, VectorMatching matching, long ts, LabelMemo? memo)
    {
        var rightSigs = rhs.Select(s => Signature(s.Metric, matching, memo)).ToHashSet();
        return lhs.Where(s => rightSigs.Contains(Signature(s.Metric, matching, memo))).Select(s => s with { T = ts }).ToList();
    }

    private static List<Sample> Or(List<Sample> lhs, List<Sample> rhs, VectorMatching matching, long ts, LabelMemo? memo)
    {
        var leftSigs = new HashSet<Labels>();
        var result = new List<Sample>(lhs.Count + rhs.Count);
        foreach (var s in lhs)
        {
            leftSigs.Add(Signature(s.Metric, matching, memo));
            result.Add(s with { T = ts });
        }

        foreach (var s in rhs)
        {
            if (!leftSigs.Contains(Signature(s.Metric, matching, memo)))
            {
                result.Add(s with { T = ts });
            }
        }

        return result;
    }

    private static List<Sample> Unless(List<Sample> lhs, List<Sample> rhs, VectorMatching matching, long ts, LabelMemo? memo)
    {
        var rightSigs = rhs.Select(s => Signature(s.Metric, matching, memo)).ToHashSet();
        return lhs.Where(s => !rightSigs.Contains(Signature(s.Metric, matching, memo))).Select(s => s with { T = ts }).ToList();
    }
}

/// <summary>Label sets a binary operation derived from its inputs' label sets, kept across the steps of one query.</summary>
internal sealed class LabelMemo
{
    public Dictionary<Labels, Labels> Signatures { get; } = [];

    public Dictionary<Labels, Labels> WithoutName { get; } = [];

    /// <summary>The output label set of a matched (left, right) pair.</summary>
    public Dictionary<(Labels Left, Labels Right), Labels> Results { get; } = [];

    /// <summary>Scratch maps of one step's vector matching, cleared and reused at the next step.</summary>
    public Dictionary<Labels, Sample> RightSignatures { get; } = [];

    public Dictionary<Labels, HashSet<Labels>?> MatchedSignatures { get; } = [];
}
