namespace Opsmon.Storage;

/// <summary>
/// One process at a time owns a store directory: a second `opsmon run`, or `opsmon query --data` against a
/// running agent's store, would replay and repair the same WAL the agent is writing. The lock is an flock on
/// DATA/lock (which .NET takes for FileShare.None), released by the kernel if the process dies.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file)
    {
        _file = file;
    }

    public static StoreLock Acquire(string directory)
    {
        var path = Path.Combine(directory, "lock");
        try
        {
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StoreLockedException(directory, e);
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>The store directory is owned by another process.</summary>
public sealed class StoreLockedException(string directory, Exception inner)
    : IOException($"{directory} is in use by another opsmon process (a running agent?); query the agent over HTTP (--url http://127.0.0.1:9184) or stop it first.", inner);
