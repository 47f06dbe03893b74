using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Tests.TestSupport;

/// <summary>Recorded and hand-made /proc and /sys trees under Fixtures/, and helpers to run a collector on them.</summary>
public static class FixtureRoots
{
    /// <summary>The recorded tree Fixtures/<paramref name="name"/> as copied next to the test assembly.</summary>
    public static FsRoot Root(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        Assert.True(Directory.Exists(path), $"fixture {path} is missing");
        return new FsRoot(path);
    }

    public static CollectorContext Context(string name, CollectorOptions? options = null, TimeProvider? time = null) =>
        CollectorContext.For(Root(name), options, time);

    /// <summary>Runs one update of <paramref name="collector"/> and returns what it wrote.</summary>
    public static MetricSink Collect(ICollector collector)
    {
        var sink = new MetricSink();
        collector.Update(sink);
        return sink;
    }

    /// <summary>The family named <paramref name="name"/>; fails the test when absent.</summary>
    public static MetricFamily Family(this MetricSink sink, string name) =>
        sink.Families.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException($"family {name} not collected; got {string.Join(", ", sink.Families.Select(f => f.Name))}");

    /// <summary>The value of the sample whose label values are <paramref name="labelValues"/> (in the family's label order).</summary>
    public static double Value(this MetricFamily family, params string[] labelValues) =>
        family.Samples.Single(s => s.LabelValues.SequenceEqual(labelValues)).Value;

    /// <summary>A writable scratch tree for tests that change files between two scrapes.</summary>
    public static TempTree Temp() => new();
}

/// <summary>A temporary directory tree deleted on dispose; write files by relative path.</summary>
public sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "opsmon-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public FsRoot Root => new(Path);

    public TempTree Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp dir does not make a test wrong.
        }
    }
}
