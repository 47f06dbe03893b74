using Opsmon.Core.Series;
using Opsmon.Rules.Alerting;
using Opsmon.Rules.Tests.Support;

namespace Opsmon.Rules.Tests.Alerting;

public sealed class RecordingRuleTests
{
    private const string Rules = """
        groups:
          - name: g
            rules:
              - record: job:requests:sum
                expr: sum by (job) (requests)
                labels:
                  tier: web
              - record: job:requests:double
                expr: job:requests:sum * 2
        """;

    [Fact]
    public void Result_is_written_back_under_the_record_name_with_rule_labels()
    {
        var h = new RuleHarness(Rules, ("requests{job=\"api\", i=\"1\"}", "1 2"), ("requests{job=\"api\", i=\"2\"}", "3 4"));

        h.EvaluateThrough(1);

        Assert.Equal([(0L, 4.0), (1L, 6.0)], h.Samples(Labels.From(("__name__", "job:requests:sum"), ("job", "api"), ("tier", "web"))));
    }

    [Fact]
    public void Later_rules_see_earlier_recordings_of_the_same_evaluation()
    {
        var h = new RuleHarness(Rules, ("requests{job=\"api\"}", "5"));

        h.EvaluateAt(0);

        Assert.Equal([(0L, 10.0)], h.Samples(Labels.From(("__name__", "job:requests:double"), ("job", "api"), ("tier", "web"))));
    }

    [Fact]
    public void Series_that_disappears_gets_a_staleness_marker()
    {
        var h = new RuleHarness(Rules, ("requests{job=\"api\"}", "1 stale"));

        h.EvaluateThrough(1);

        var samples = h.Samples(Labels.From(("__name__", "job:requests:sum"), ("job", "api"), ("tier", "web")));
        Assert.Equal(2, samples.Count);
        Assert.True(StaleNaN.Is(samples[1].Value));
    }

    [Fact]
    public void Scalar_result_is_recorded_without_labels()
    {
        var h = new RuleHarness("groups:\n  - name: g\n    rules:\n      - record: answer\n        expr: '42'\n");

        h.EvaluateAt(0);

        Assert.Equal([(0L, 42.0)], h.Samples(Labels.From(("__name__", "answer"))));
    }

    [Fact]
    public void Labelset_collision_after_rule_labels_is_an_error()
    {
        var yaml = "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: requests\n        labels:\n          job: same\n";
        var h = new RuleHarness(yaml, ("requests{job=\"a\"}", "1"), ("requests{job=\"b\"}", "1"));

        h.EvaluateAt(0);

        Assert.Equal(RuleHealth.Err, h.Group.Rules[0].Health);
        Assert.Equal("vector contains metrics with the same labelset after applying rule labels", h.Group.Rules[0].LastError);
    }
}
