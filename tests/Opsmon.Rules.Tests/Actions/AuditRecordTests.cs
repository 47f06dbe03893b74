using System.Text.Json;
using Opsmon.Core.Series;
using Opsmon.Rules.Audit;

namespace Opsmon.Rules.Tests.Actions;

public sealed class AuditRecordTests
{
    [Fact]
    public void A_record_is_one_json_line_with_the_documented_fields()
    {
        var record = new AuditRecord(
            new DateTimeOffset(2026, 11, 25, 12, 0, 1, 500, TimeSpan.Zero), "HighMemory", Labels.From(("alertname", "HighMemory"), ("pid", "42")),
            "kill", "terminate", "pid 42 (hog)", true, AuditResult.DryRun, "would send SIGTERM\nto pid 42", null);

        var line = record.ToJson();

        Assert.DoesNotContain('\n', line);
        Assert.Equal(
            """{"time":"2026-11-25T12:00:01.500Z","alertname":"HighMemory","labels":{"alertname":"HighMemory","pid":"42"},"action":"kill","type":"terminate","target":"pid 42 (hog)","dry_run":true,"result":"dry_run","output":"would send SIGTERM\nto pid 42"}""",
            line);
        Assert.Equal("dry_run", JsonDocument.Parse(line).RootElement.GetProperty("result").GetString());
    }
}
