using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opsmon.Storage.Blocks;

/// <summary>Counts stored in a block's meta.json.</summary>
public sealed record BlockStats(long NumSamples, long NumSeries, long NumChunks);

/// <summary>
/// A block's meta.json. The time range is half-open, [MinTime, MaxTime), in milliseconds, as Prometheus's.
/// Sources lists the blocks a compaction merged, so that blocks left behind by a crash mid-compaction are
/// recognised and removed on open.
/// </summary>
public sealed record BlockMeta(string Ulid, long MinTime, long MaxTime, BlockStats Stats, int Level, IReadOnlyList<string> Sources, int Version = 1)
{
    public const string FileName = "meta.json";

    internal string ToJson() => JsonSerializer.Serialize(this, BlockMetaJson.Default.BlockMeta);

    internal static BlockMeta FromJson(string json) =>
        JsonSerializer.Deserialize(json, BlockMetaJson.Default.BlockMeta) ?? throw new InvalidDataException("meta.json is empty.");
}

/// <summary>meta.json's (de)serializer, generated at build time so the native (AOT) build needs no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BlockMeta))]
internal sealed partial class BlockMetaJson : JsonSerializerContext;
