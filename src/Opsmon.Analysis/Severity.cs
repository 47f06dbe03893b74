using System.Text.Json.Serialization;

namespace Opsmon.Analysis;

/// <summary>How bad a finding is; the report's exit code is the worst severity's number.</summary>
public enum Severity
{
    [JsonStringEnumMemberName("ok")]
    Ok = 0,

    [JsonStringEnumMemberName("warning")]
    Warning = 1,

    [JsonStringEnumMemberName("critical")]
    Critical = 2,
}
