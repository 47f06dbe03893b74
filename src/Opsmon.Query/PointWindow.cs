using System.Collections;

namespace Opsmon.Query;

/// <summary>
/// A read-only view of consecutive samples of one series' arrays: the window a range function sees at one step.
/// One instance slides along a series, so stepping a range query allocates no point list per step.
/// </summary>
internal sealed class PointWindow(long[] timestamps, double[] values) : IReadOnlyList<Point>
{
    private long[] _timestamps = timestamps;
    private double[] _values = values;
    private int _start;

    public int Count { get; private set; }

    public Point this[int index] =>
        (uint)index < (uint)Count ? new Point(_timestamps[_start + index], _values[_start + index]) : throw new ArgumentOutOfRangeException(nameof(index));

    public void Reset(long[] timestamps, double[] values)
    {
        (_timestamps, _values, _start, Count) = (timestamps, values, 0, 0);
    }

    /// <summary>Shows samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public void Show(int start, int count) => (_start, Count) = (start, count);

    public IEnumerator<Point> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new Point(_timestamps[_start + i], _values[_start + i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
