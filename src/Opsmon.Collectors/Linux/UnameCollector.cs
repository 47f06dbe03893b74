using System.Runtime.InteropServices;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_uname_info, the uname(2) fields as labels, as node_exporter's uname collector. They are read from
/// /proc/sys/kernel so a recorded tree can stand in for the machine; those files hold what uname(2) returns
/// for this UTS namespace. The machine field comes from kernel/arch (Linux ≥ 6.1); on older live kernels it
/// is this process's architecture in uname's spelling.
/// </summary>
public sealed class UnameCollector(CollectorContext context) : ICollector
{
    private readonly ProcFile _file = new(512);
    private readonly NameCache _values = new();
    private readonly FsRoot _root = context.Root;
    private readonly string _sysname = context.Root.Proc("sys/kernel/ostype");
    private readonly string _release = context.Root.Proc("sys/kernel/osrelease");
    private readonly string _version = context.Root.Proc("sys/kernel/version");
    private readonly string _nodename = context.Root.Proc("sys/kernel/hostname");
    private readonly string _domainname = context.Root.Proc("sys/kernel/domainname");
    private readonly string _arch = context.Root.Proc("sys/kernel/arch");

    public string Name => "uname";

    public void Update(MetricSink sink)
    {
        var sysname = Required(_sysname);
        var release = Required(_release);
        var version = Required(_version);
        var nodename = Required(_nodename);
        var domainname = Optional(_domainname) ?? "";
        var machine = Optional(_arch) ?? (_root.IsLive ? ProcessMachine() : "");

        sink.Family("node_uname_info", "Labeled system information as provided by the uname system call.", MetricType.Gauge,
                "sysname", "release", "version", "machine", "nodename", "domainname")
            .Add(1, sysname, release, version, machine, nodename, domainname);
    }

    private string Required(string path) =>
        Optional(path) ?? throw new NoDataException($"{path} is not readable");

    // Interned through the cache: the values never change between scrapes, so they allocate once.
    private string? Optional(string path) =>
        _file.TryRead(path, out var content) ? _values.Get(Span.Trim(content)) : null;

    private static string ProcessMachine() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x86_64",
        Architecture.X86 => "i686",
        Architecture.Arm64 => "aarch64",
        Architecture.Arm => "armv7l",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.LoongArch64 => "loongarch64",
        Architecture.RiscV64 => "riscv64",
        var other => other.ToString().ToLowerInvariant(),
    };
}
