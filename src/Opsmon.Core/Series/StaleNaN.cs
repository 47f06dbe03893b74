namespace Opsmon.Core.Series;

/// <summary>
/// Prometheus's staleness marker: a NaN with a fixed bit pattern (0x7ff0000000000002) that no arithmetic
/// produces, written when a series disappears so that queries stop returning it.
/// </summary>
public static class StaleNaN
{
    public const ulong Bits = 0x7ff0000000000002;

    public static double Value { get; } = BitConverter.UInt64BitsToDouble(Bits);

    public static bool Is(double value) => BitConverter.DoubleToUInt64Bits(value) == Bits;
}
