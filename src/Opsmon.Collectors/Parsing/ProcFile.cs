using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Opsmon.Collectors.Parsing;

/// <summary>
/// Reads small kernel files (procfs, sysfs) into a reusable buffer without allocating per read.
/// procfs files report size 0, so we read until EOF, growing the buffer when it fills.
/// On Linux the file is read with open(2)/read(2)/close(2) directly: the managed path costs a SafeFileHandle,
/// an fstat and, for every file that vanished or is protected (kernel threads' io, exited processes), an
/// exception, which a scrape of a few hundred processes meets on every run.
/// </summary>
public sealed partial class ProcFile
{
    // O_RDONLY | O_CLOEXEC (02000000 on x86-64 and arm64 Linux): no descriptor leaks into a forked action.
    private const int OpenFlags = 0x80000;

    // Paths under /proc and /sys are short; a longer one (a deep fixture tree) is encoded into a rented buffer.
    private const int StackPathBytes = 512;

    private byte[] _buffer;
    private bool _native = OperatingSystem.IsLinux();

    public ProcFile(int initialSize = 16 * 1024)
    {
        _buffer = new byte[initialSize];
    }

    /// <summary>Reads the whole file; returns false when it does not exist or vanished (a process that exited).</summary>
    public bool TryRead(string path, out ReadOnlySpan<byte> content) => TryRead(path.AsSpan(), out content);

    /// <summary>Reads the whole file at <paramref name="path"/>, which callers may build on the stack; false when unreadable.</summary>
    public bool TryRead(ReadOnlySpan<char> path, out ReadOnlySpan<byte> content)
    {
        if (_native)
        {
            try
            {
                var total = ReadNative(path);
                content = total < 0 ? default : _buffer.AsSpan(0, total);
                return total >= 0;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _native = false;
            }
        }

        return TryReadManaged(path.ToString(), out content);
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

    /// <summary>The number of bytes read into <see cref="_buffer"/>, or -1 when the file could not be opened or read.</summary>
    private unsafe int ReadNative(ReadOnlySpan<char> path)
    {
        var size = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        byte[]? rented = null;
        var encoded = size <= StackPathBytes ? stackalloc byte[StackPathBytes] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var length = Encoding.UTF8.GetBytes(path, encoded);
            encoded[length] = 0;
            int fd;
            fixed (byte* p = encoded)
            {
                fd = Open(p, OpenFlags);
            }

            if (fd < 0)
            {
                return -1;
            }

            try
            {
                var total = 0;
                while (true)
                {
                    if (total == _buffer.Length)
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }

                    nint n;
                    fixed (byte* b = &_buffer[total])
                    {
                        n = Read(fd, b, _buffer.Length - total);
                    }

                    if (n == 0)
                    {
                        return total;
                    }

                    if (n < 0)
                    {
                        // ESRCH from a process that exited between open and read, EACCES on a protected file.
                        return -1;
                    }

                    total += (int)n;
                }
            }
            finally
            {
                _ = Close(fd);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private bool TryReadManaged(string path, out ReadOnlySpan<byte> content)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
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
                content = default;
                return false;
            }

            content = _buffer.AsSpan(0, total);
            return true;
        }
    }

    [LibraryImport("libc", EntryPoint = "open")]
    private static unsafe partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "read")]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
