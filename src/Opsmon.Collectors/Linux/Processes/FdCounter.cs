using System.IO.Enumeration;
using System.Runtime.InteropServices;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>
/// Counts the entries of /proc/PID/fd. .NET's directory enumeration stats every symlink it meets, which in
/// /proc/PID/fd costs ~20 µs per descriptor (measured: 90 ms for 3,000 fds); plain readdir(3) reads names only.
/// Falls back to the managed enumeration where libc cannot be called.
/// </summary>
internal sealed partial class FdCounter
{
    // struct dirent on 64-bit Linux (glibc and musl): d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
    private const int NameOffset = 19;

    private static readonly EnumerationOptions ManagedOptions = new() { AttributesToSkip = 0, IgnoreInaccessible = false };

    private bool _native = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>The number of entries in <paramref name="dir"/>; -1 when it cannot be listed (gone, or no ptrace rights).</summary>
    public int Count(string dir)
    {
        if (_native)
        {
            try
            {
                return CountNative(dir);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _native = false;
            }
        }

        return CountManaged(dir);
    }

    private static unsafe int CountNative(string dir)
    {
        var handle = OpenDir(dir);
        if (handle == 0)
        {
            return -1;
        }

        try
        {
            var count = 0;
            nint entry;
            while ((entry = ReadDir(handle)) != 0)
            {
                var name = (byte*)entry + NameOffset;
                if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                {
                    continue;
                }

                count++;
            }

            return count;
        }
        finally
        {
            _ = CloseDir(handle);
        }
    }

    private static int CountManaged(string dir)
    {
        try
        {
            var count = 0;
            foreach (var _ in new FileSystemEnumerable<byte>(dir, static (ref FileSystemEntry _) => (byte)0, ManagedOptions))
            {
                count++;
            }

            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint OpenDir(string path);

    [LibraryImport("libc", EntryPoint = "readdir")]
    private static partial nint ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint dir);
}
