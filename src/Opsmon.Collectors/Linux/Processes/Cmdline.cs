using Opsmon.Collectors.Parsing;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>/proc/PID/cmdline: NUL-separated arguments, empty for kernel threads and zombies.</summary>
internal static class Cmdline
{
    public const int MaxLabelLength = 80;

    public static string[] ParseArgv(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return [];
        }

        if (content[^1] == 0)
        {
            content = content[..^1];
        }

        var count = content.Count((byte)0) + 1;
        var argv = new string[count];
        var rest = content;
        for (var i = 0; i < count; i++)
        {
            var nul = rest.IndexOf((byte)0);
            var arg = nul < 0 ? rest : rest[..nul];
            argv[i] = Span.ToText(arg);
            rest = nul < 0 ? default : rest[(nul + 1)..];
        }

        return argv;
    }

    /// <summary>
    /// The cmdline label of the per-process series: arguments joined by spaces, control characters
    /// replaced by '?', cut to <see cref="MaxLabelLength"/> characters; "[comm]" (as ps shows it) when empty.
    /// </summary>
    public static string ToLabel(string[] argv, string comm)
    {
        if (argv.Length == 0)
        {
            return "[" + Sanitize(comm) + "]";
        }

        Span<char> buffer = stackalloc char[MaxLabelLength + 1];
        var length = 0;
        for (var i = 0; i < argv.Length && length <= MaxLabelLength; i++)
        {
            if (i > 0)
            {
                buffer[length++] = ' ';
            }

            foreach (var c in argv[i])
            {
                if (length > MaxLabelLength)
                {
                    break;
                }

                buffer[length++] = char.IsControl(c) ? '?' : c;
            }
        }

        if (length > MaxLabelLength)
        {
            length = MaxLabelLength;
            if (char.IsHighSurrogate(buffer[length - 1]))
            {
                // Never cut a surrogate pair in half: the label must stay valid UTF-8 on the wire.
                length--;
            }
        }

        return new string(buffer[..length]);
    }

    public static string Sanitize(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return string.Create(text.Length, text, static (span, source) =>
                {
                    for (var i = 0; i < source.Length; i++)
                    {
                        span[i] = char.IsControl(source[i]) ? '?' : source[i];
                    }
                });
            }
        }

        return text;
    }
}
