using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Opsmon.Collectors;

/// <summary>What a collector factory gets: the file-system root, the clock, settings and a logger.</summary>
public sealed record CollectorContext(FsRoot Root, TimeProvider Time, CollectorOptions Options, ILogger Logger)
{
    public static CollectorContext For(FsRoot root, CollectorOptions? options = null, TimeProvider? time = null) =>
        new(root, time ?? TimeProvider.System, options ?? new CollectorOptions(), NullLogger.Instance);
}
