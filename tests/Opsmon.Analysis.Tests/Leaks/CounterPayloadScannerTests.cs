using System.Text;
using Opsmon.Analysis.Leaks;

namespace Opsmon.Analysis.Tests.Leaks;

/// <summary>Counter values found in an EventPipe byte stream by their payload's Name, DisplayName, Mean layout.</summary>
public sealed class CounterPayloadScannerTests
{
    private static byte[] Payload(string name, string displayName, double mean)
    {
        var bytes = new List<byte>();
        bytes.AddRange([0x10, 0x20, 0x30]);
        bytes.AddRange(Encoding.Unicode.GetBytes(name + "\0"));
        bytes.AddRange(Encoding.Unicode.GetBytes(displayName + "\0"));
        bytes.AddRange(BitConverter.GetBytes(mean));
        bytes.AddRange(BitConverter.GetBytes(0.0));
        return [.. bytes];
    }

    [Fact]
    public void Finds_each_named_counter_and_ignores_the_others()
    {
        var scanner = new CounterPayloadScanner("gc-heap-size", "gen-2-size");
        var found = new List<(string, double)>();
        byte[] stream = [.. Payload("cpu-usage", "CPU Usage", 12), .. Payload("gc-heap-size", "GC Heap Size", 42.5), .. Payload("gen-2-size", "Gen 2 Size", 1e6)];

        scanner.Feed(stream, (n, v) => found.Add((n, v)));

        Assert.Equal([("gc-heap-size", 42.5), ("gen-2-size", 1e6)], found);
    }

    [Fact]
    public void A_payload_split_across_reads_is_found_once_when_complete()
    {
        var found = new List<double>();
        var stream = Payload("gc-heap-size", "GC Heap Size", 7.25);

        for (var cut = 1; cut < stream.Length; cut++)
        {
            found.Clear();
            var fresh = new CounterPayloadScanner("gc-heap-size");
            fresh.Feed(stream.AsSpan(0, cut), (_, v) => found.Add(v));
            fresh.Feed(stream.AsSpan(cut), (_, v) => found.Add(v));
            Assert.Equal([7.25], found);
        }
    }
}
