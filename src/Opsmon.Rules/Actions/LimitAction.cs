using System.Globalization;
using Opsmon.Rules.Routing;

namespace Opsmon.Rules.Actions;

/// <summary>A CPU bandwidth limit as cgroup v2's cpu.max: a quota (null for "max") per period, both in microseconds.</summary>
public sealed record CpuMax(long? QuotaMicros, long PeriodMicros)
{
    public string CgroupValue => string.Create(CultureInfo.InvariantCulture, $"{(QuotaMicros is { } q ? q.ToString(CultureInfo.InvariantCulture) : "max")} {PeriodMicros}");
}

/// <summary>
/// limit's settings: where (a systemd unit, a cgroup path, or the cgroup of the alert's process) and the knobs
/// (memory.high, memory.max in bytes, null to leave alone, -1 for "max"; cpu.max; io.weight).
/// </summary>
public sealed record LimitSettings(
    string? Unit,
    string? Cgroup,
    ProcessSelector? Selector,
    long? MemoryHigh,
    long? MemoryMax,
    CpuMax? CpuMax,
    int? IoWeight) : ActionSettings;

/// <summary>
/// Sets cgroup v2 limits: through <c>systemctl set-property --runtime UNIT MemoryHigh=...</c> for a unit (so systemd
/// keeps its own view of the unit right; --runtime so nothing outlives a reboot), or by writing memory.high,
/// memory.max, cpu.max and io.weight in the cgroup filesystem for a cgroup path (configured, or the alert's process's).
/// Never the root cgroup, and never a cgroup that holds Opsmon itself.
/// </summary>
public sealed class LimitAction(ActionSpec spec, ActionHost host) : IAction
{
    private readonly LimitSettings _settings = (LimitSettings)spec.Settings;

    public string Name => spec.Name;

    public ActionSpec Spec => spec;

    internal static ActionSettings? Parse(ActionSection section)
    {
        var unit = section.String("unit");
        var cgroup = section.String("cgroup");
        var memoryHigh = Memory(section, "memory_high");
        var memoryMax = Memory(section, "memory_max");
        var cpuMax = Cpu(section);
        var ioWeight = section.Int("io_weight", 1, 10000);
        ProcessSelector? selector = null;
        if (section.Has("process"))
        {
            selector = ProcessSelector.Parse(section);
            if (selector is null)
            {
                return null;
            }
        }

        var targets = (unit is null ? 0 : 1) + (cgroup is null ? 0 : 1) + (selector is null ? 0 : 1);
        if (targets != 1)
        {
            section.Error(unit is null ? "unit" : "cgroup", "a limit needs exactly one of unit (a systemd unit), cgroup (a path below the cgroup root) or process (a selector; the limit goes on its cgroup).");
            return null;
        }

        if (cgroup is not null && (cgroup.Split('/').Any(part => part == "..") || cgroup.Trim('/').Length == 0))
        {
            section.Error("cgroup", $"'{cgroup}' must be a cgroup below the root, such as /system.slice/app.service, without '..'.");
            return null;
        }

        if (!section.Has("memory_high") && !section.Has("memory_max") && !section.Has("cpu_max") && !section.Has("io_weight"))
        {
            section.Error("memory_high", "a limit needs at least one of memory_high, memory_max, cpu_max or io_weight.");
            return null;
        }

        return new LimitSettings(unit, cgroup is null ? null : "/" + cgroup.Trim('/'), selector, memoryHigh, memoryMax, cpuMax, ioWeight);
    }

    private static long? Memory(ActionSection section, string key)
    {
        if (section.String(key) is "max")
        {
            return -1;
        }

        return section.Size(key);
    }

    private static CpuMax? Cpu(ActionSection section)
    {
        var text = section.String("cpu_max")?.Trim();
        if (text is null)
        {
            return null;
        }

        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent > 0)
        {
            return new CpuMax((long)Math.Round(percent * 1000), 100_000);
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var period = 100_000L;
        if (parts.Length is 1 or 2 && (parts.Length == 1 || long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out period)) && period is >= 1000 and <= 1_000_000)
        {
            if (parts[0] == "max")
            {
                return new CpuMax(null, period);
            }

            if (long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var quota) && quota >= 1000)
            {
                return new CpuMax(quota, period);
            }
        }

        section.Error("cpu_max", $"'{text}' is not a CPU limit: a percentage of one CPU (50%, 150%), or cpu.max's \"QUOTA PERIOD\" in microseconds (\"50000 100000\", \"max\").");
        return null;
    }

    /// <summary>The argv of <c>systemctl set-property --runtime UNIT ...</c> for these settings.</summary>
    public static IReadOnlyList<string> SetPropertyArgv(string systemctl, string unit, LimitSettings s)
    {
        var argv = new List<string> { systemctl, "set-property", "--runtime", "--", unit };
        if (s.MemoryHigh is { } high)
        {
            argv.Add("MemoryHigh=" + Bytes(high, "infinity"));
        }

        if (s.MemoryMax is { } max)
        {
            argv.Add("MemoryMax=" + Bytes(max, "infinity"));
        }

        if (s.CpuMax is { } cpu)
        {
            // systemd takes the quota as a percentage of one CPU; an empty CPUQuota= removes it.
            argv.Add(cpu.QuotaMicros is { } q
                ? string.Create(CultureInfo.InvariantCulture, $"CPUQuota={Math.Round(q * 100.0 / cpu.PeriodMicros, 2)}%")
                : "CPUQuota=");
            if (cpu.PeriodMicros != 100_000)
            {
                argv.Add(string.Create(CultureInfo.InvariantCulture, $"CPUQuotaPeriodSec={cpu.PeriodMicros}us"));
            }
        }

        if (s.IoWeight is { } weight)
        {
            argv.Add(string.Create(CultureInfo.InvariantCulture, $"IOWeight={weight}"));
        }

        return argv;
    }

    /// <summary>The cgroup files and values for these settings, in the order they are written.</summary>
    public static IReadOnlyList<(string File, string Value)> CgroupWrites(LimitSettings s)
    {
        var writes = new List<(string, string)>();
        if (s.MemoryHigh is { } high)
        {
            writes.Add(("memory.high", Bytes(high, "max")));
        }

        if (s.MemoryMax is { } max)
        {
            writes.Add(("memory.max", Bytes(max, "max")));
        }

        if (s.CpuMax is { } cpu)
        {
            writes.Add(("cpu.max", cpu.CgroupValue));
        }

        if (s.IoWeight is { } weight)
        {
            writes.Add(("io.weight", string.Create(CultureInfo.InvariantCulture, $"default {weight}")));
        }

        return writes;
    }

    private static string Bytes(long value, string unlimited) => value < 0 ? unlimited : value.ToString(CultureInfo.InvariantCulture);

    public ActionTargets Resolve(AlertSnapshot alert)
    {
        if (_settings.Unit is { } unit)
        {
            return ActionTargets.One(new ActionTarget($"unit:{unit}", $"unit {unit}"));
        }

        if (_settings.Cgroup is { } cgroup)
        {
            return ActionTargets.One(CgroupTarget(cgroup, null));
        }

        var chosen = _settings.Selector!.Choose(alert, host);
        if (chosen.Targets is not [{ Process: { } p } target] || target.Refusal is not null)
        {
            return chosen;
        }

        return p.CgroupPath(host.ProcRoot) is { } path
            ? ActionTargets.One(CgroupTarget(path, p))
            : ActionTargets.None($"{p.Describe()} has no cgroup v2 path in /proc/{p.Pid}/cgroup");
    }

    private ActionTarget CgroupTarget(string cgroup, ProcessInfo? p)
    {
        var description = p is null ? $"cgroup {cgroup}" : $"cgroup {cgroup} of {p.Describe()}";
        var target = new ActionTarget($"cgroup:{cgroup}", description) { Process = p };
        if (cgroup.Trim('/').Length == 0)
        {
            return target with { Refusal = "the root cgroup is never limited" };
        }

        var own = ProcessInfo.Read(host.ProcRoot, host.SelfPid)?.CgroupPath(host.ProcRoot);
        if (own is not null && (own == cgroup || own.StartsWith(cgroup.TrimEnd('/') + "/", StringComparison.Ordinal)))
        {
            return target with { Refusal = $"cgroup {cgroup} holds Opsmon itself ({own})" };
        }

        return target;
    }

    public async Task<ActionOutcome> RunAsync(ActionRun run, CancellationToken cancellationToken)
    {
        if (_settings.Unit is { } unit)
        {
            var argv = SetPropertyArgv(host.Systemctl, unit, _settings);
            if (run.DryRun)
            {
                return ActionOutcome.Ok("would run " + string.Join(' ', argv));
            }

            var result = await CommandRunner.RunAsync(argv, cancellationToken);
            return result.Succeeded
                ? ActionOutcome.Ok(("ran " + string.Join(' ', argv) + "\n" + result.Output).TrimEnd())
                : ActionOutcome.Failed($"systemctl set-property exited with {result.ExitCode}", result.Output);
        }

        var cgroup = run.Target.Key["cgroup:".Length..];
        var dir = Path.GetFullPath(Path.Combine(host.CgroupRoot, cgroup.TrimStart('/')));
        if (!dir.StartsWith(host.CgroupRoot.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            return ActionOutcome.Failed($"{dir} is outside {host.CgroupRoot}");
        }

        var writes = CgroupWrites(_settings);
        if (run.DryRun)
        {
            return ActionOutcome.Ok("would write " + string.Join(", ", writes.Select(w => $"{w.Value} > {Path.Combine(dir, w.File)}")));
        }

        if (!Directory.Exists(dir))
        {
            return ActionOutcome.Failed($"{dir} does not exist");
        }

        var done = new List<string>();
        foreach (var (file, value) in writes)
        {
            try
            {
                await File.WriteAllTextAsync(Path.Combine(dir, file), value, cancellationToken);
                done.Add($"{file}={value}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ActionOutcome.Failed($"cannot write {value} to {Path.Combine(dir, file)}: {e.Message}", done.Count == 0 ? null : "wrote " + string.Join(", ", done));
            }
        }

        return ActionOutcome.Ok($"{dir}: " + string.Join(", ", done));
    }
}
