using Opsmon.Tests.Support;

namespace Opsmon.Tests.Integration;

/// <summary>
/// node_exporter (Debian's prometheus-node-exporter) and Opsmon run side by side on loopback; every family
/// both expose from the shared collectors must have the same label sets and agreeing values.
/// </summary>
public sealed class NodeExporterParityTests
{
    // Families whose values move between two reads a few milliseconds apart: compared by label set only.
    private static readonly HashSet<string> VolatileFamilies = new(StringComparer.Ordinal)
    {
        "node_load1", "node_load5", "node_load15", "node_procs_running", "node_procs_blocked",
        "node_memory_MemFree_bytes", "node_memory_MemAvailable_bytes", "node_memory_Active_bytes", "node_memory_Inactive_bytes",
        "node_memory_Active_anon_bytes", "node_memory_Inactive_anon_bytes", "node_memory_Active_file_bytes", "node_memory_Inactive_file_bytes",
        "node_memory_AnonPages_bytes", "node_memory_Committed_AS_bytes", "node_memory_Dirty_bytes", "node_memory_Writeback_bytes",
        "node_memory_Mapped_bytes", "node_memory_Shmem_bytes", "node_memory_Slab_bytes", "node_memory_SReclaimable_bytes",
        "node_memory_SUnreclaim_bytes", "node_memory_KernelStack_bytes", "node_memory_PageTables_bytes", "node_memory_Percpu_bytes",
        "node_memory_Cached_bytes", "node_memory_Buffers_bytes", "node_memory_VmallocUsed_bytes", "node_memory_AnonHugePages_bytes",
        "node_memory_KReclaimable_bytes", "node_memory_Unevictable_bytes", "node_memory_Mlocked_bytes", "node_memory_SecPageTables_bytes",
        "node_filefd_allocated", "node_sockstat_sockets_used", "node_sockstat_TCP_inuse", "node_sockstat_TCP_alloc", "node_sockstat_TCP_tw",
        "node_sockstat_TCP_mem", "node_sockstat_TCP_mem_bytes", "node_sockstat_UDP_mem", "node_sockstat_UDP_mem_bytes", "node_sockstat_TCP_orphan",
        "node_netstat_Tcp_CurrEstab", "node_disk_io_now", "node_filesystem_free_bytes", "node_filesystem_avail_bytes", "node_filesystem_files_free",
        "node_pressure_cpu_waiting_seconds_total", "node_pressure_io_waiting_seconds_total", "node_pressure_io_stalled_seconds_total",
        "node_pressure_memory_waiting_seconds_total", "node_pressure_memory_stalled_seconds_total",
    };

    private static Tolerance ToleranceFor(string family) => family switch
    {
        _ when VolatileFamilies.Contains(family) => Tolerance.Volatile,
        "node_cpu_seconds_total" or "node_cpu_guest_seconds_total" => new(0.02, 2.0),
        "node_boot_time_seconds" => new(0, 1.0),
        "node_vmstat_pgfault" or "node_vmstat_pgmajfault" or "node_vmstat_pgpgin" or "node_vmstat_pgpgout" => new(0.02, 50_000),
        "node_context_switches_total" or "node_intr_total" or "node_forks_total" => new(0.02, 50_000),
        // Loopback traffic from tests running alongside moves these between the two reads.
        _ when family.StartsWith("node_sockstat_", StringComparison.Ordinal) => Tolerance.Volatile,
        _ when family.StartsWith("node_network_", StringComparison.Ordinal) => new(0.05, 2_000_000),
        _ when family.StartsWith("node_netstat_", StringComparison.Ordinal) => new(0.05, 2_000_000),
        _ when family.StartsWith("node_disk_", StringComparison.Ordinal) => new(0.02, 1_000_000),
        _ => Tolerance.Exact,
    };

    [Fact]
    public async Task Every_shared_family_has_the_same_series_and_agreeing_values()
    {
        var nodePort = RunningProcess.FreePort();
        var ourPort = RunningProcess.FreePort();
        await using var node = RunningProcess.Start(Tools.Require("prometheus-node-exporter"), [
            $"--web.listen-address=127.0.0.1:{nodePort}", "--no-collector.systemd",
            // Debian patches node_exporter's defaults (it also drops /mnt, /media, /run and the lo device) and
            // 1.5 predates upstream's zram exclusion; Opsmon follows current upstream, so the peer is given those.
            @"--collector.diskstats.device-exclude=^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$",
            "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
            "--collector.netdev.device-exclude=^$"]);
        var data = Directory.CreateTempSubdirectory("opsmon-ne-");
        await using var opsmon = RunningProcess.StartOpsmon("run", "--listen", $"127.0.0.1:{ourPort}", "--data", data.FullName);
        await node.WaitForHttpAsync($"http://127.0.0.1:{nodePort}/metrics");
        await opsmon.WaitForHttpAsync($"http://127.0.0.1:{ourPort}/-/healthy");

        var (ours, theirs) = await Parity.ScrapeTogetherAsync($"http://127.0.0.1:{ourPort}/metrics", $"http://127.0.0.1:{nodePort}/metrics");
        var report = Parity.Compare(
            Exposition.Parse(ours),
            Exposition.Parse(theirs),
            include: name => name.StartsWith("node_", StringComparison.Ordinal) && !name.StartsWith("node_scrape_", StringComparison.Ordinal) && name != "node_exporter_build_info",
            tolerance: ToleranceFor);

        data.Delete(recursive: true);
        Assert.True(report.Problems.Count == 0, report.ToString());
        // The comparison is only meaningful if it covered the collectors Opsmon shares with node_exporter.
        foreach (var family in new[]
        {
            "node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1", "node_pressure_cpu_waiting_seconds_total",
            "node_vmstat_pgfault", "node_context_switches_total", "node_boot_time_seconds", "node_disk_reads_completed_total",
            "node_network_receive_bytes_total", "node_filesystem_size_bytes", "node_filefd_maximum", "node_sockstat_sockets_used",
            "node_netstat_Tcp_InErrs", "node_uname_info", "node_os_info",
        })
        {
            Assert.Contains(family, report.Compared);
        }
    }
}
