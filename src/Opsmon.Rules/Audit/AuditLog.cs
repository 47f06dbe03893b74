using Microsoft.Extensions.Logging;

namespace Opsmon.Rules.Audit;

/// <summary>
/// The actions' audit log: one JSON line per decision, appended and flushed as it is made, so a crash loses
/// nothing already decided. A log that cannot be written is reported once to the logger and the decision is
/// still taken (an unwritable log must not stop a restart that keeps a service up).
/// </summary>
public sealed class AuditLog(string path, ILogger logger)
{
    private readonly Lock _lock = new();
    private bool _failing;

    public string Path { get; } = path;

    public void Append(AuditRecord record)
    {
        var line = record.ToJson() + "\n";
        lock (_lock)
        {
            try
            {
                var dir = System.IO.Path.GetDirectoryName(Path);
                if (!string.IsNullOrEmpty(dir))
                {
                    Directory.CreateDirectory(dir);
                }

                using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                var bytes = System.Text.Encoding.UTF8.GetBytes(line);
                stream.Write(bytes);
                stream.Flush(flushToDisk: false);
                _failing = false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_failing)
                {
                    logger.LogError("cannot write the actions audit log {Path}: {Reason}", Path, e.Message);
                    _failing = true;
                }
            }
        }
    }
}
