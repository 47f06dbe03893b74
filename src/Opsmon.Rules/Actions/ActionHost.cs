using System.Runtime.InteropServices;

namespace Opsmon.Rules.Actions;

/// <summary>
/// The machine the actions act on: where /proc, the cgroup filesystem and /etc are (tests point them at recorded
/// trees), which program is systemctl, who Opsmon is, and the system calls (kill, setpriority, ioprio_set, sync).
/// The seam between the actions and the machine.
/// </summary>
public sealed class ActionHost
{
    /// <summary>The host as it is: /proc, /sys/fs/cgroup, /etc, systemctl on the PATH, this process.</summary>
    public static ActionHost Real { get; } = new();

    public string ProcRoot { get; init; } = "/proc";

    public string CgroupRoot { get; init; } = "/sys/fs/cgroup";

    public string EtcRoot { get; init; } = "/etc";

    public string Systemctl { get; init; } = "systemctl";

    /// <summary>Opsmon's own process id: never acted on.</summary>
    public int SelfPid { get; init; } = Environment.ProcessId;

    /// <summary>Opsmon's effective user id: processes of other users are left alone unless allow_other_users is set.</summary>
    public uint EffectiveUid { get; init; } = Native.GetEffectiveUid();

    public bool IsRoot => EffectiveUid == 0;

    /// <summary>Sends a signal; returns null on success, else the errno text.</summary>
    public string? Signal(int pid, int signal) =>
        Native.Kill(pid, signal) == 0 ? null : ErrorText(Marshal.GetLastPInvokeError());

    /// <summary>setpriority(PRIO_PROCESS, tid, nice) for one thread (Linux keeps nice per thread).</summary>
    public string? SetNice(int tid, int nice) =>
        Native.SetPriority(0, tid, nice) == 0 ? null : ErrorText(Marshal.GetLastPInvokeError());

    /// <summary>ioprio_set(IOPRIO_WHO_PROCESS, tid, class &lt;&lt; 13 | level) for one thread.</summary>
    public string? SetIoPriority(int tid, int ioClass, int level)
    {
        long number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 251,
            Architecture.Arm64 => 30,
            _ => -1,
        };
        if (number < 0)
        {
            return $"ioprio_set is not known on {RuntimeInformation.ProcessArchitecture}";
        }

        return Native.Syscall(number, 1, tid, (ioClass << 13) | level) == 0 ? null : ErrorText(Marshal.GetLastPInvokeError());
    }

    public void Sync() => Native.Sync();

    private static string ErrorText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    private static class Native
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);

        [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        public static extern int SetPriority(int which, int who, int priority);

        [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
        public static extern long Syscall(long number, long a1, long a2, long a3);

        [DllImport("libc", EntryPoint = "sync")]
        public static extern void Sync();

        [DllImport("libc", EntryPoint = "geteuid")]
        public static extern uint GetEffectiveUid();
    }
}

/// <summary>Signal numbers (the same on x86-64 and arm64 Linux).</summary>
public static class Signals
{
    public const int Kill = 9;
    public const int Term = 15;
}
