using System.Text;
using System.Text.Json;
using Opsmon.Core.Series;
using Opsmon.Query.PromqlTest;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Alerting;

public sealed class RuleManagerTests : IDisposable
{
    private const string Down = """
        groups:
          - name: availability
            interval: 30s
            rules:
              - alert: Down
                expr: up == 0
                for: 1m
                labels:
                  severity: page
                annotations:
                  summary: '{{ $labels.job }} is down'
              - record: job:up:sum
                expr: sum by (job) (up)
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("opsmon-rules-").FullName;
    private readonly MemoryStorage _storage = new();
    private readonly ManualTime _time = new(DateTimeOffset.UnixEpoch.AddHours(1));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private RuleManager Manager() => new(_storage, _storage, _time, new RuleManagerOptions());

    private void Up(double value)
    {
        _storage.Append(Labels.From(("__name__", "up"), ("job", "api")), _time.GetUtcNow().ToUnixTimeMilliseconds(), value);
    }

    /// <summary>Moves the clock to the first group's next evaluation slot.</summary>
    private DateTimeOffset ToNextSlot(RuleManager manager)
    {
        var slot = manager.Groups[0].NextEvaluation;
        _time.Advance(slot - _time.GetUtcNow());
        return slot;
    }

    [Fact]
    public void Groups_are_evaluated_on_their_own_interval()
    {
        var manager = Manager();
        manager.Reload([Write("r.yml", Down)]);
        ToNextSlot(manager);
        Up(1);

        Assert.Equal(1, manager.EvaluateDue());
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, manager.EvaluateDue());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, manager.EvaluateDue());
    }

    [Fact]
    public void Alert_goes_pending_then_firing_as_time_advances()
    {
        var manager = Manager();
        manager.Reload([Write("r.yml", Down)]);
        ToNextSlot(manager);
        Up(0);
        manager.EvaluateDue();
        Assert.Equal(AlertState.Pending, Assert.Single(manager.ActiveAlerts()).State);

        _time.Advance(TimeSpan.FromMinutes(1));
        manager.EvaluateDue();

        Assert.Equal(AlertState.Firing, Assert.Single(manager.ActiveAlerts()).State);
    }

    [Fact]
    public void Reload_with_an_invalid_file_keeps_the_old_rules_and_reports_the_error()
    {
        var manager = Manager();
        var path = Write("r.yml", Down);
        manager.Reload([path]);
        File.WriteAllText(path, Down.Replace("up == 0", "up ==", StringComparison.Ordinal));

        var result = manager.Reload([path]);

        Assert.False(result.Success);
        var error = Assert.Single(result.Errors);
        Assert.Equal((path, 6, "Down"), (error.File, error.Line, error.RuleName));
        Assert.Equal("up == 0", manager.Groups.Single().Rules[0].Query);
    }

    [Fact]
    public void Reload_keeps_the_state_of_unchanged_alerts()
    {
        var manager = Manager();
        var path = Write("r.yml", Down);
        manager.Reload([path]);
        ToNextSlot(manager);
        Up(0);
        manager.EvaluateDue();
        var before = Assert.Single(manager.ActiveAlerts()).ActiveAt;

        File.WriteAllText(path, Down.Replace("is down", "is not answering", StringComparison.Ordinal));
        Assert.True(manager.Reload([path]).Success);

        Assert.Equal(before, Assert.Single(manager.ActiveAlerts()).ActiveAt);
    }

    [Fact]
    public void Rules_json_has_prometheus_shape()
    {
        var manager = Manager();
        var path = Write("r.yml", Down);
        manager.Reload([path]);
        var slot = ToNextSlot(manager);
        Up(0);
        manager.EvaluateDue();

        using var doc = JsonDocument.Parse(Render(manager.WriteRulesData));

        var group = doc.RootElement.GetProperty("groups")[0];
        Assert.Equal(("availability", path, 30.0), (group.GetProperty("name").GetString(), group.GetProperty("file").GetString(), group.GetProperty("interval").GetDouble()));
        var alerting = group.GetProperty("rules")[0];
        Assert.Equal("alerting", alerting.GetProperty("type").GetString());
        Assert.Equal("pending", alerting.GetProperty("state").GetString());
        Assert.Equal(60, alerting.GetProperty("duration").GetDouble());
        Assert.Equal("ok", alerting.GetProperty("health").GetString());
        Assert.Equal("api is down", alerting.GetProperty("alerts")[0].GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal(slot, alerting.GetProperty("lastEvaluation").GetDateTimeOffset());
        var recording = group.GetProperty("rules")[1];
        Assert.Equal(("recording", "job:up:sum"), (recording.GetProperty("type").GetString(), recording.GetProperty("name").GetString()));
    }

    [Fact]
    public void Alerts_json_lists_active_alerts_with_string_values()
    {
        var manager = Manager();
        manager.Reload([Write("r.yml", Down)]);
        var slot = ToNextSlot(manager);
        Up(0);
        manager.EvaluateDue();

        using var doc = JsonDocument.Parse(Render(manager.WriteAlertsData));

        var alert = Assert.Single(doc.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Equal("Down", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("pending", alert.GetProperty("state").GetString());
        Assert.Equal("0e+00", alert.GetProperty("value").GetString());
        Assert.Equal(slot, alert.GetProperty("activeAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task RunAsync_evaluates_due_groups_and_stops_on_cancellation()
    {
        var manager = Manager();
        manager.Reload([Write("r.yml", Down)]);
        ToNextSlot(manager);
        Up(0);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = manager.RunAsync(cts.Token);

        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (manager.Groups[0].LastEvaluation is null && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(10);
        }

        cts.Cancel();
        await run;
        Assert.Equal(_time.GetUtcNow(), manager.Groups[0].LastEvaluation);
    }

    private static string Render(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
