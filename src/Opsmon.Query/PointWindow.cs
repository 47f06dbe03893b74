using System.Collections;
using System.Runtime.InteropServices;

namespace Opsmon.Query;

/// <summary>
/// A read-only view of consecutive points of one series' buffer: the window a range function sees at one step.
/// One instance slides along a series, so stepping a range query allocates no point list per step.
/// </summary>
internal sealed class PointWindow(Point[] points) : IReadOnlyList<Point>
{
    private Point[] _points = points;
    private int _start;

    public int Count { get; private set; }

    /// <summary>The points shown, for functions that loop over them without an interface call per point.</summary>
    public ReadOnlySpan<Point> Span => _points.AsSpan(_start, Count);

    public Point this[int index] =>
        (uint)index < (uint)Count ? _points[_start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    public void Reset(Point[] points)
    {
        (_points, _start, Count) = (points, 0, 0);
    }

    /// <summary>Shows points [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public void Show(int start, int count) => (_start, Count) = (start, count);

    /// <summary>The points of any point list as a span: no copy for a window, an array or a list.</summary>
    public static ReadOnlySpan<Point> SpanOf(IReadOnlyList<Point> points) => points switch
    {
        PointWindow w => w.Span,
        Point[] a => a,
        List<Point> l => CollectionsMarshal.AsSpan(l),
        _ => points.ToArray(),
    };

    public IEnumerator<Point> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _points[_start + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
