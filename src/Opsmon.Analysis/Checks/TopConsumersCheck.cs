namespace Opsmon.Analysis.Checks;

/// <summary>Always-ok findings that list the top CPU, memory and I/O users of the window, for context.</summary>
public sealed class TopConsumersCheck : IDoctorCheck
{
    public string Name => "process.top";

    public IEnumerable<Finding> Run(AnalysisContext context)
    {
        var cpu = context.Consumers.Cpu();
        if (cpu.Count > 0)
        {
            yield return Top("process.top_cpu", "CPU", cpu, Judge.Num(cpu[0].Value, 2) + " cores");
        }

        var memory = context.Consumers.Memory();
        if (memory.Count > 0)
        {
            yield return Top("process.top_memory", "memory", memory, Judge.Bytes(memory[0].Value) + " resident");
        }

        var io = context.Consumers.Io();
        if (io.Count > 0)
        {
            yield return Top("process.top_io", "I/O", io, Judge.Bytes(io[0].Value) + "/s");
        }
    }

    private static Finding Top(string id, string what, IReadOnlyList<ProcessUsage> processes, string figure) =>
        new(id, Severity.Ok, "processes",
            "The largest " + what + " user in the window was " + Judge.Culprit(processes) + " with " + figure + ".",
            string.Empty, [], processes, []);
}
