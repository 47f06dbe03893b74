using System.Globalization;
using Opsmon.Analysis.Leaks;
using Opsmon.Analysis.Tests.Support;

namespace Opsmon.Analysis.Tests.Leaks;

/// <summary>With a .NET process's GC heap in the window, a leak is told managed (the heap grows with it) or native (the heap stays flat).</summary>
public sealed class ManagedHeapTests
{
    private const double MegabytePerSecond = 1e6;

    private static DoctorReport Scenario()
    {
        var q = new SyntheticMachine().Build();
        var rnd = new Random(11);
        foreach (var (pid, heapGrowth) in new[] { (3001, 0.9 * MegabytePerSecond), (3002, 0.0), (3003, double.NaN) })
        {
            var labels = new[] { ("pid", pid.ToString(CultureInfo.InvariantCulture)), ("name", "dotnet") };
            q.Series("opsmon_process_resident_memory_bytes", i => 200e6 + (i * MegabytePerSecond) + (SyntheticMachine.Gaussian(rnd) * 100e3), labels);
            if (!double.IsNaN(heapGrowth))
            {
                q.Series(ManagedHeapSampler.GcHeapMetric, i => 50e6 + (i * heapGrowth) + (SyntheticMachine.Gaussian(rnd) * 50e3), labels);
                q.Series(ManagedHeapSampler.Gen2Metric, i => 30e6 + (i * heapGrowth / 2), labels);
            }
        }

        return new Analyzer().Run(q, q.StartMs, q.EndMs, Thresholds.Default, new MachineFacts());
    }

    [Fact]
    public void A_leak_whose_gc_heap_grows_with_it_is_managed_with_the_heap_growth_as_evidence()
    {
        var report = Scenario();

        var leak = report.Leaks.Single(static l => l.Pid == 3001);
        Assert.Equal("managed", leak.Heap);
        Assert.Equal(0.9 * MegabytePerSecond, leak.ManagedBytesPerSecond!.Value, 0.05 * MegabytePerSecond);
        Assert.Equal(0.45 * MegabytePerSecond, leak.Gen2BytesPerSecond!.Value, 0.05 * MegabytePerSecond);
        var finding = report.Findings.Single(static f => f.Id == "memory.leak" && f.Resource == "process:3001");
        Assert.Contains("the managed heap grew 54.0 MB/min (gen2 27.0 MB/min)", finding.Explanation, StringComparison.Ordinal);
        Assert.Contains(finding.Evidence, static e => e.Name == "managed_heap_growth" && e.Unit == "bytes/s");
        Assert.Contains("dotnet-gcdump", finding.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void A_leak_whose_gc_heap_stays_flat_is_native()
    {
        var report = Scenario();

        var leak = report.Leaks.Single(static l => l.Pid == 3002);
        Assert.Equal("native", leak.Heap);
        var finding = report.Findings.Single(static f => f.Id == "memory.leak" && f.Resource == "process:3002");
        Assert.Contains("native memory grew while the GC heap stayed flat", finding.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_gc_heap_figures_a_leak_says_nothing_of_managed_or_native()
    {
        var report = Scenario();

        var leak = report.Leaks.Single(static l => l.Pid == 3003);
        Assert.Null(leak.Heap);
        Assert.Null(leak.ManagedBytesPerSecond);
    }
}
