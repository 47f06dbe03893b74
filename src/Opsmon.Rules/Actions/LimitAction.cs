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
/// Sets cgroup limits: through <c>systemctl set-property --runtime UNIT MemoryHigh=...</c> for a unit (so systemd
/// keeps its own view of the unit right; --runtime so nothing outlives a reboot), or by writing the cgroup filesystem
/// for a cgroup path (configured, or the alert's process's): memory.high, memory.max, cpu.max and io.weight on cgroup
/// v2, their nearest v1 files on a cgroup v1 or hybrid host (<see cref="CgroupWrites"/>), each controller in the
/// hierarchy <see cref="CgroupLayout"/> finds for it. Never the root cgroup, and never a cgroup that holds Opsmon itself.
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

    /// <summary>
    /// The cgroup files and values for these settings, in the order they are written. On v1: memory.limit_in_bytes
    /// for memory_max; memory.soft_limit_in_bytes for memory_high (v1 has nothing that throttles like memory.high;
    /// the soft limit is what reclaim pushes a cgroup back to under pressure); cpu.cfs_period_us then cpu.cfs_quota_us
    /// (-1 for "max"); blkio.weight for io_weight.
    /// </summary>
    public static IReadOnlyList<CgroupWrite> CgroupWrites(LimitSettings s, CgroupVersion version)
    {
        var v1 = version == CgroupVersion.V1;
        var unlimited = v1 ? "-1" : "max";
        var writes = new List<CgroupWrite>();
        if (s.MemoryHigh is { } high)
        {
            writes.Add(new("memory", v1 ? "memory.soft_limit_in_bytes" : "memory.high", Bytes(high, unlimited)));
        }

        if (s.MemoryMax is { } max)
        {
            writes.Add(new("memory", v1 ? "memory.limit_in_bytes" : "memory.max", Bytes(max, unlimited)));
        }

        if (s.CpuMax is { } cpu)
        {
            if (v1)
            {
                writes.Add(new("cpu", "cpu.cfs_period_us", cpu.PeriodMicros.ToString(CultureInfo.InvariantCulture)));
                writes.Add(new("cpu", "cpu.cfs_quota_us", cpu.QuotaMicros is { } q ? q.ToString(CultureInfo.InvariantCulture) : "-1"));
            }
            else
            {
                writes.Add(new("cpu", "cpu.max", cpu.CgroupValue));
            }
        }

        if (s.IoWeight is { } weight)
        {
            writes.Add(v1
                ? new("io", "blkio.weight", BlkioWeight(weight).ToString(CultureInfo.InvariantCulture))
                : new("io", "io.weight", string.Create(CultureInfo.InvariantCulture, $"default {weight}")));
        }

        return writes;
    }

    /// <summary>
    /// io.weight (1-10000, default 100) as blkio.weight (10-1000, default 500): scaled so that the defaults meet, as
    /// systemd converts IOWeight= to BlockIOWeight=; weights from 200 up all become 1000.
    /// </summary>
    public static int BlkioWeight(int ioWeight) => Math.Clamp(ioWeight * 5, 10, 1000);

    private static string Bytes(long value, string unlimited) => value < 0 ? unlimited : value.ToString(CultureInfo.InvariantCulture);

    public ActionTargets Resolve(AlertSnapshot alert)
    {
        if (_settings.Unit is { } unit)
        {
            return ActionTargets.One(new ActionTarget($"unit:{unit}", $"unit {unit}"));
        }

        ProcessInfo? p = null;
        if (_settings.Cgroup is null)
        {
            var chosen = _settings.Selector!.Choose(alert, host);
            if (chosen.Targets is not [{ Process: { } process } only] || only.Refusal is not null)
            {
                return chosen;
            }

            p = process;
        }

        var placement = PlaceLimits(p);
        if (placement.Failure is { } failure)
        {
            return ActionTargets.None(failure);
        }

        if (placement.Places.Count == 0)
        {
            return ActionTargets.None("the limit sets nothing");
        }

        var cgroups = placement.Places.Select(x => x.Cgroup).Distinct().ToList();
        var where = cgroups.Count == 1
            ? $"cgroup {cgroups[0]}"
            : "cgroups " + string.Join(", ", placement.Places.Select(x => $"{x.Cgroup} ({x.Hierarchy.V1Name})"));
        var target = new ActionTarget($"cgroup:{placement.Places[0].Cgroup}", p is null ? where : $"{where} of {p.Describe()}") { Process = p };
        return ActionTargets.One(placement.Refusal is { } refusal ? target with { Refusal = refusal } : target);
    }

    /// <summary>The controllers these settings touch, in cgroup v2's names.</summary>
    private IEnumerable<string> Controllers()
    {
        if (_settings.MemoryHigh is not null || _settings.MemoryMax is not null)
        {
            yield return "memory";
        }

        if (_settings.CpuMax is not null)
        {
            yield return "cpu";
        }

        if (_settings.IoWeight is not null)
        {
            yield return "io";
        }
    }

    /// <summary>
    /// For each controller: its hierarchy (v2, or v1's per-controller one), the cgroup (configured, or the process's
    /// in that hierarchy) and its directory; with the safety rules checked against every one of them.
    /// </summary>
    private Placement PlaceLimits(ProcessInfo? p)
    {
        var layout = CgroupLayout.Detect(host.ProcRoot, host.CgroupRoot);
        var places = new List<CgroupPlace>();
        foreach (var controller in Controllers())
        {
            if (layout.For(controller) is not { } hierarchy)
            {
                return new([], $"no cgroup hierarchy at or below {host.CgroupRoot} has the {controller} controller");
            }

            var cgroup = _settings.Cgroup ?? hierarchy.PathOf(host.ProcRoot, p!.Pid);
            if (cgroup is null)
            {
                return new([], hierarchy.Version == CgroupVersion.V2
                    ? $"{p!.Describe()} has no cgroup v2 path in /proc/{p.Pid}/cgroup"
                    : $"{p!.Describe()} has no cgroup v1 {hierarchy.V1Name} path in /proc/{p.Pid}/cgroup");
            }

            places.Add(new(hierarchy, cgroup, hierarchy.Directory(cgroup)));
        }

        foreach (var place in places)
        {
            var mount = place.Hierarchy.MountPoint.TrimEnd('/');
            if (place.Cgroup.Trim('/').Length == 0 || place.Directory == mount)
            {
                return new(places, null, "the root cgroup is never limited");
            }

            if (!place.Directory.StartsWith(mount + "/", StringComparison.Ordinal))
            {
                return new(places, null, $"{place.Directory} is outside the cgroup hierarchy {mount}");
            }

            // Compared as directories, so a container's mount root (field 4 of mountinfo) cannot hide Opsmon's cgroup.
            if (place.Hierarchy.PathOf(host.ProcRoot, host.SelfPid) is { } own
                && place.Hierarchy.Directory(own) is var ownDirectory
                && (ownDirectory == place.Directory || ownDirectory.StartsWith(place.Directory + "/", StringComparison.Ordinal)))
            {
                return new(places, null, $"cgroup {place.Cgroup} holds Opsmon itself ({own})");
            }
        }

        return new(places);
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

        // Placed again rather than trusted from Resolve: the process may have moved, and the rules must still hold.
        var placement = PlaceLimits(run.Target.Process);
        if ((placement.Failure ?? placement.Refusal) is { } problem)
        {
            return ActionOutcome.Failed(problem);
        }

        var writes = placement.Places
            .SelectMany(place => CgroupWrites(_settings, place.Hierarchy.Version)
                .Where(w => w.Controller == place.Hierarchy.Controller)
                .Select(w => (Place: place, w.File, w.Value, Path: Path.Combine(place.Directory, w.File))))
            .ToList();
        if (run.DryRun)
        {
            return ActionOutcome.Ok("would write " + string.Join(", ", writes.Select(w => $"{w.Value} > {w.Path}")));
        }

        foreach (var place in placement.Places)
        {
            if (!Directory.Exists(place.Directory))
            {
                return ActionOutcome.Failed($"{place.Directory} does not exist");
            }
        }

        // A v1 controller's files are all there in every cgroup of its hierarchy, except blkio.weight, which only
        // the CFQ (and legacy BFQ) I/O scheduler provides; check before writing anything, so no limit is half set.
        foreach (var w in writes.Where(w => w.Place.Hierarchy.Version == CgroupVersion.V1 && !File.Exists(w.Path)))
        {
            return ActionOutcome.Failed(w.File == "blkio.weight"
                ? $"{w.Path} does not exist: no I/O scheduler on this cgroup v1 host offers blkio weights (CFQ), so io_weight cannot be set"
                : $"{w.Path} does not exist (cgroup v1 {w.Place.Hierarchy.V1Name} controller)");
        }

        var done = new List<(string Directory, string Write)>();
        foreach (var w in writes)
        {
            try
            {
                await File.WriteAllTextAsync(w.Path, w.Value, cancellationToken);
                done.Add((w.Place.Directory, $"{w.File}={w.Value}"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ActionOutcome.Failed($"cannot write {w.Value} to {w.Path}: {e.Message}", done.Count == 0 ? null : "wrote " + Written(done));
            }
        }

        return ActionOutcome.Ok(Written(done));
    }

    private static string Written(List<(string Directory, string Write)> done) =>
        string.Join("; ", done.GroupBy(d => d.Directory).Select(g => $"{g.Key}: " + string.Join(", ", g.Select(d => d.Write))));

    private sealed record CgroupPlace(CgroupHierarchy Hierarchy, string Cgroup, string Directory);

    private sealed record Placement(IReadOnlyList<CgroupPlace> Places, string? Failure = null, string? Refusal = null);
}
