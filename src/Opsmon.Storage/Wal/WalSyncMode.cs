namespace Opsmon.Storage.Wal;

/// <summary>When the WAL is fsynced. Every commit is written to the OS either way, so a killed process loses nothing.</summary>
public enum WalSyncMode
{
    /// <summary>fsync on every commit: a power loss costs at most the commit in flight.</summary>
    PerCommit,

    /// <summary>fsync at most once per <see cref="TsdbOptions.WalSyncInterval"/>.</summary>
    Interval,

    /// <summary>Leave it to the OS.</summary>
    Never,
}
