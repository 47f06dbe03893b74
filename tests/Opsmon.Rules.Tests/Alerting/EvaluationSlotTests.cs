using Opsmon.Query.PromqlTest;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Alerting;

/// <summary>Each group is evaluated on its own slots: multiples of its interval plus an offset hashed from file and name.</summary>
public sealed class EvaluationSlotTests : IDisposable
{
    private const string TwoGroups = """
        groups:
          - name: a
            interval: 30s
            rules:
              - record: a
                expr: vector(1)
          - name: b
            interval: 30s
            rules:
              - record: b
                expr: vector(1)
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("opsmon-slots-").FullName;
    private readonly MemoryStorage _storage = new();
    private readonly ManualTime _time = new(DateTimeOffset.UnixEpoch.AddDays(1).AddSeconds(7));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RuleManager Load(string yaml)
    {
        var path = Path.Combine(_dir, "r.yml");
        File.WriteAllText(path, yaml);
        var manager = new RuleManager(_storage, _storage, _time, new RuleManagerOptions());
        Assert.True(manager.Reload([path]).Success);
        return manager;
    }

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    [Fact]
    public void Offset_is_within_the_interval_and_the_same_for_the_same_file_and_group()
    {
        var offset = RuleGroup.OffsetFor("/etc/opsmon/rules/node.yml", "node", TimeSpan.FromSeconds(15));

        Assert.InRange(offset, TimeSpan.Zero, TimeSpan.FromSeconds(15) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(offset, RuleGroup.OffsetFor("/etc/opsmon/rules/node.yml", "node", TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Groups_of_one_file_are_spread_over_the_interval()
    {
        var groups = Load(TwoGroups).Groups;

        Assert.NotEqual(groups[0].EvaluationOffset, groups[1].EvaluationOffset);
        Assert.NotEqual(groups[0].NextEvaluation, groups[1].NextEvaluation);
    }

    [Fact]
    public void First_evaluation_waits_for_the_group_slot()
    {
        var manager = Load(TwoGroups);
        var group = manager.Groups[0];

        Assert.InRange(group.NextEvaluation, _time.GetUtcNow().AddTicks(1), _time.GetUtcNow() + group.Interval);
        Assert.Equal((long)group.EvaluationOffset.TotalMilliseconds, Ms(group.NextEvaluation) % 30_000);
        _time.Advance(group.NextEvaluation - _time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        manager.EvaluateDue();
        Assert.Null(group.LastEvaluation);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        manager.EvaluateDue();
        Assert.Equal(_time.GetUtcNow(), group.LastEvaluation);
    }

    [Fact]
    public void Evaluation_timestamps_stay_on_the_slots_even_when_the_manager_runs_late()
    {
        var manager = Load(TwoGroups);
        var group = manager.Groups[0];
        var slot = group.NextEvaluation;

        // Woken 5 s late, then 2.5 intervals late: each evaluation takes the latest slot that has passed.
        _time.Advance(slot - _time.GetUtcNow() + TimeSpan.FromSeconds(5));
        manager.EvaluateDue();
        Assert.Equal(slot, group.LastEvaluation);
        _time.Advance(TimeSpan.FromSeconds(75));
        manager.EvaluateDue();

        Assert.Equal(slot + TimeSpan.FromSeconds(60), group.LastEvaluation);
        Assert.Equal(slot + TimeSpan.FromSeconds(90), group.NextEvaluation);
    }

    [Fact]
    public void Reload_keeps_the_slot_of_an_unchanged_group()
    {
        var manager = Load(TwoGroups);
        var slot = manager.Groups[0].NextEvaluation;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(manager.Reload([Path.Combine(_dir, "r.yml")]).Success);

        Assert.Equal(slot, manager.Groups[0].NextEvaluation);
    }
}
