namespace Opsmon.Collectors.Linux.Processes;

/// <summary>The cumulative counters of one process (ticks, faults, bytes, switches), or a difference of two.</summary>
internal readonly record struct ProcessCounters(
    ulong UserTicks,
    ulong SystemTicks,
    ulong MinorFaults,
    ulong MajorFaults,
    ulong ReadBytes,
    ulong WriteBytes,
    ulong VoluntaryCtxSwitches,
    ulong NonvoluntaryCtxSwitches)
{
    /// <summary>What grew since <paramref name="earlier"/>; a field that went backwards contributes 0, so groups never decrease.</summary>
    public ProcessCounters Since(in ProcessCounters earlier) => new(
        Grow(UserTicks, earlier.UserTicks),
        Grow(SystemTicks, earlier.SystemTicks),
        Grow(MinorFaults, earlier.MinorFaults),
        Grow(MajorFaults, earlier.MajorFaults),
        Grow(ReadBytes, earlier.ReadBytes),
        Grow(WriteBytes, earlier.WriteBytes),
        Grow(VoluntaryCtxSwitches, earlier.VoluntaryCtxSwitches),
        Grow(NonvoluntaryCtxSwitches, earlier.NonvoluntaryCtxSwitches));

    public ProcessCounters Plus(in ProcessCounters other) => new(
        UserTicks + other.UserTicks,
        SystemTicks + other.SystemTicks,
        MinorFaults + other.MinorFaults,
        MajorFaults + other.MajorFaults,
        ReadBytes + other.ReadBytes,
        WriteBytes + other.WriteBytes,
        VoluntaryCtxSwitches + other.VoluntaryCtxSwitches,
        NonvoluntaryCtxSwitches + other.NonvoluntaryCtxSwitches);

    private static ulong Grow(ulong now, ulong before) => now >= before ? now - before : 0;
}
