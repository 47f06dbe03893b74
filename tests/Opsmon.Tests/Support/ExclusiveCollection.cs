namespace Opsmon.Tests.Support;

/// <summary>
/// Tests that load the whole machine (stress-ng) run alone, after the parallel ones, so they neither
/// disturb timing-sensitive tests nor get disturbed by them.
/// </summary>
[CollectionDefinition("Exclusive", DisableParallelization = true)]
public sealed class ExclusiveCollection;
