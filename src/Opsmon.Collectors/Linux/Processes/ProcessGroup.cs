namespace Opsmon.Collectors.Linux.Processes;

/// <summary>
/// One process-exporter group: counters accumulated from its members' growth since the collector first saw
/// them (they never decrease, and outlive the members), and gauges summed over the current members.
/// </summary>
internal sealed class ProcessGroup
{
    public ProcessGroup(string name)
    {
        Name = name;
        Label = [name];
        UserLabel = [name, "user"];
        SystemLabel = [name, "system"];
        VoluntaryLabel = [name, "voluntary"];
        NonvoluntaryLabel = [name, "nonvoluntary"];
        MemoryLabels = [[name, "resident"], [name, "virtual"], [name, "swapped"], [name, "proportionalResident"], [name, "proportionalSwapped"]];
        StateLabels = [[name, "Running"], [name, "Sleeping"], [name, "Waiting"], [name, "Zombie"], [name, "Other"]];
    }

    public string Name { get; }

    // Label value arrays are built once: samples keep a reference, so scans do not allocate them again.
    public string[] Label { get; }

    public string[] UserLabel { get; }

    public string[] SystemLabel { get; }

    public string[] VoluntaryLabel { get; }

    public string[] NonvoluntaryLabel { get; }

    public string[][] MemoryLabels { get; }

    public string[][] StateLabels { get; }

    public ProcessCounters Total { get; set; }

    public int Procs { get; private set; }

    public ulong Threads { get; private set; }

    public ulong ResidentBytes { get; private set; }

    public ulong VirtualBytes { get; private set; }

    public ulong SwapBytes { get; private set; }

    public ulong PssBytes { get; private set; }

    public ulong SwapPssBytes { get; private set; }

    public ulong OpenFds { get; private set; }

    public double WorstFdRatio { get; private set; }

    /// <summary>Start of the oldest member in clock ticks after boot; <see cref="ulong.MaxValue"/> when empty.</summary>
    public ulong OldestStartTicks { get; private set; } = ulong.MaxValue;

    /// <summary>Members per state: Running, Sleeping, Waiting, Zombie, Other.</summary>
    public int[] States { get; } = new int[5];

    public void ResetGauges()
    {
        Procs = 0;
        Threads = ResidentBytes = VirtualBytes = SwapBytes = PssBytes = SwapPssBytes = OpenFds = 0;
        WorstFdRatio = 0;
        OldestStartTicks = ulong.MaxValue;
        Array.Clear(States);
    }

    public void AddMember(TrackedProcess p, ulong pageSize)
    {
        Procs++;
        Threads += p.Stat.Threads;
        ResidentBytes += p.Stat.ResidentPages * pageSize;
        VirtualBytes += p.Stat.VirtualBytes;
        SwapBytes += p.Status.SwapBytes;
        if (p.HasSmaps)
        {
            PssBytes += p.Smaps.PssBytes;
            SwapPssBytes += p.Smaps.SwapPssBytes;
        }

        if (p.OpenFds >= 0)
        {
            OpenFds += (ulong)p.OpenFds;
            if (p.FdLimit is > 0 and < ulong.MaxValue)
            {
                WorstFdRatio = Math.Max(WorstFdRatio, (double)p.OpenFds / p.FdLimit);
            }
        }

        OldestStartTicks = Math.Min(OldestStartTicks, p.StartTicks);
        States[StateIndex(p.Stat.State)]++;
        if (p.HasThreadStates && p.ThreadStates is { } threadStates)
        {
            for (var i = 0; i < States.Length; i++)
            {
                States[i] += threadStates[i];
            }
        }
    }

    /// <summary>process-exporter's mapping of the stat state letter: R, S, D, Z, anything else is Other.</summary>
    public static int StateIndex(byte state) => state switch
    {
        (byte)'R' => 0,
        (byte)'S' => 1,
        (byte)'D' => 2,
        (byte)'Z' => 3,
        _ => 4,
    };
}
