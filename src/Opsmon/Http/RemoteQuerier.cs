using System.Globalization;
using System.Text.Json;
using Opsmon.Core.Series;
using Opsmon.Query;

namespace Opsmon.Http;

/// <summary>
/// An <see cref="IQuerier"/> over a running agent's (or Prometheus's) HTTP API, so `opsmon doctor --from URL`
/// analyses the agent's history without opening its store. Raw samples come from an instant query of a range
/// selector (<c>{matchers}[range]</c> at the window's end), which the API returns unprocessed.
/// </summary>
public sealed class RemoteQuerier(HttpClient http, Uri baseUrl) : IQuerier
{
    public IEnumerable<IStoredSeries> Select(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers)
    {
        var selector = "{" + string.Join(", ", matchers.Select(m => m.ToString())) + "}";
        var range = Math.Max(1, maxt - mint + 1);
        var data = Get($"api/v1/query?query={Uri.EscapeDataString($"{selector}[{range}ms]")}&time={Seconds(maxt)}");
        if (ApiJson.ReadQueryData(data) is not MatrixValue matrix)
        {
            return [];
        }

        return [.. matrix.Series.Select(s => new Stored(s.Metric, s.Points)).OrderBy(s => s.Labels)];
    }

    public IReadOnlyList<string> LabelNames(long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        Strings($"api/v1/labels?start={Seconds(mint)}&end={Seconds(maxt)}{Match(matchers)}");

    public IReadOnlyList<string> LabelValues(string name, long mint, long maxt, IReadOnlyList<LabelMatcher> matchers) =>
        Strings($"api/v1/label/{Uri.EscapeDataString(name)}/values?start={Seconds(mint)}&end={Seconds(maxt)}{Match(matchers)}");

    private static string Match(IReadOnlyList<LabelMatcher> matchers) =>
        matchers.Count == 0 ? "" : "&match[]=" + Uri.EscapeDataString("{" + string.Join(", ", matchers.Select(m => m.ToString())) + "}");

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private string[] Strings(string path) => [.. Get(path).EnumerateArray().Select(e => e.GetString() ?? "")];

    private JsonElement Get(string path)
    {
        // IQuerier is synchronous (the engine and analyzers iterate lazily); doctor calls it off the UI thread.
        using var response = http.GetAsync(new Uri(baseUrl, path)).GetAwaiter().GetResult();
        using var doc = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        var root = doc.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"{baseUrl}{path}: {root.GetProperty("error").GetString()}");
        }

        return root.GetProperty("data").Clone();
    }

    private sealed record Stored(Labels Labels, IReadOnlyList<Point> Points) : IStoredSeries
    {
        public ISampleIterator Samples() => new Iterator(Points);
    }

    private sealed class Iterator(IReadOnlyList<Point> points) : ISampleIterator
    {
        private int _i = -1;

        public bool MoveNext() => ++_i < points.Count;

        public long Timestamp => points[_i].T;

        public double Value => points[_i].V;
    }
}
