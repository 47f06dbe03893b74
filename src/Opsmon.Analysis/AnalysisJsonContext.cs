using System.Text.Json.Serialization;

namespace Opsmon.Analysis;

/// <summary>Source-generated JSON for the doctor report: camelCase names, enums as strings, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    // A forecast may legitimately be infinite; write it rather than throw.
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DoctorReport))]
public sealed partial class AnalysisJsonContext : JsonSerializerContext;
