using Microsoft.Win32.SafeHandles;

namespace Opsmon.Collectors.Parsing;

/// <summary>
/// Reads small kernel files (procfs, sysfs) into a reusable buffer without allocating per read.
/// procfs files report size 0, so we read until EOF, growing the buffer when it fills.
/// </summary>
public sealed class ProcFile
{
    private byte[] _buffer;

    public ProcFile(int initialSize = 16 * 1024)
    {
        _buffer = new byte[initialSize];
    }

    /// <summary>Reads the whole file; returns false when it does not exist or vanished (a process that exited).</summary>
    public bool TryRead(string path, out ReadOnlySpan<byte> content)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            content = default;
            return false;
        }

        using (handle)
        {
            var total = 0;
            try
            {
                while (true)
                {
                    if (total == _buffer.Length)
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }

                    var n = RandomAccess.Read(handle, _buffer.AsSpan(total), total);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // ESRCH from a process that exited between open and read, or EACCES on a protected file.
                content = default;
                return false;
            }

            content = _buffer.AsSpan(0, total);
            return true;
        }
    }

    /// <summary>Reads a file that holds one number (sysfs style); false when missing or not a number.</summary>
    public bool TryReadInt64(string path, out long value)
    {
        value = 0;
        return TryRead(path, out var content) && Span.TryParseInt64(Span.Trim(content), out value);
    }

    /// <summary>Reads a one-line text file, trimmed; null when missing.</summary>
    public string? ReadLine(string path) =>
        TryRead(path, out var content) ? Span.ToText(Span.Trim(content)) : null;
}
