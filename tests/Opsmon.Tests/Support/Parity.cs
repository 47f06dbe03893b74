using System.Text;

namespace Opsmon.Tests.Support;

/// <summary>How closely a family's values must agree between Opsmon and a peer exporter scraped at nearly the same time.</summary>
public sealed record Tolerance(double Relative, double Absolute, bool LabelsOnly = false)
{
    /// <summary>Static values: equal (only float formatting may differ).</summary>
    public static Tolerance Exact { get; } = new(1e-9, 0);

    /// <summary>Values that move on their own between two reads (load, free memory, running processes).</summary>
    public static Tolerance Volatile { get; } = new(0, 0, LabelsOnly: true);

    public bool Accepts(double ours, double theirs)
    {
        if (LabelsOnly || ours.Equals(theirs))
        {
            return true;
        }

        var limit = Math.Max(Absolute, Relative * Math.Max(Math.Abs(ours), Math.Abs(theirs)));
        return Math.Abs(ours - theirs) <= limit;
    }
}

/// <summary>Compares the families two exporters share: same label sets, values within the family's tolerance.</summary>
public static class Parity
{
    public sealed record Report(IReadOnlyList<string> Compared, IReadOnlyList<string> Problems)
    {
        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.AppendLine($"{Compared.Count} families compared, {Problems.Count} problems");
            foreach (var p in Problems.Take(60))
            {
                sb.AppendLine("  " + p);
            }

            return sb.ToString();
        }
    }

    public static Report Compare(
        Dictionary<string, ParsedFamily> ours,
        Dictionary<string, ParsedFamily> theirs,
        Func<string, bool> include,
        Func<string, Tolerance> tolerance,
        Func<ParsedSample, bool>? ignoreSeries = null)
    {
        var compared = new List<string>();
        var problems = new List<string>();
        foreach (var name in theirs.Keys.Where(include).Order(StringComparer.Ordinal))
        {
            if (!ours.TryGetValue(name, out var mine))
            {
                continue;
            }

            compared.Add(name);
            var peer = theirs[name];
            if (mine.Type != peer.Type)
            {
                problems.Add($"{name}: type {mine.Type}, peer has {peer.Type}");
            }

            // A series ignored on either side (a transient process, a peer's known bug) is left out of both.
            var ignored = mine.Samples.Concat(peer.Samples).Where(s => ignoreSeries?.Invoke(s) == true).Select(Key).ToHashSet();
            var ourSeries = mine.Samples.Where(s => !ignored.Contains(Key(s))).ToDictionary(Key);
            var peerSeries = peer.Samples.Where(s => !ignored.Contains(Key(s))).ToDictionary(Key);
            foreach (var key in peerSeries.Keys.Except(ourSeries.Keys))
            {
                problems.Add($"{name}: peer has {key}, Opsmon does not");
            }

            foreach (var key in ourSeries.Keys.Except(peerSeries.Keys))
            {
                problems.Add($"{name}: Opsmon has {key}, peer does not");
            }

            var tol = tolerance(name);
            foreach (var key in ourSeries.Keys.Intersect(peerSeries.Keys))
            {
                var (a, b) = (ourSeries[key].Value, peerSeries[key].Value);
                if (!tol.Accepts(a, b))
                {
                    problems.Add($"{key}: Opsmon {a}, peer {b} (tolerance {tol.Relative:P1} / {tol.Absolute})");
                }
            }
        }

        return new Report(compared, problems);
    }

    private static string Key(ParsedSample s) => s.Name + "{" + s.LabelKey + "}";

    public static async Task<(string Ours, string Theirs)> ScrapeTogetherAsync(string ourUrl, string theirUrl)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var ours = client.GetStringAsync(ourUrl);
        var theirs = client.GetStringAsync(theirUrl);
        await Task.WhenAll(ours, theirs);
        return (await ours, await theirs);
    }
}
