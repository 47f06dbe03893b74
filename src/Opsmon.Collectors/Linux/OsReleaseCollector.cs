using System.Globalization;
using System.Text;
using Opsmon.Collectors.Parsing;
using Opsmon.Core.Metrics;

namespace Opsmon.Collectors.Linux;

/// <summary>
/// node_os_info, node_os_version and node_os_support_end_timestamp_seconds from os-release(5), as
/// node_exporter's os collector: /etc/os-release, else /usr/lib/os-release, parsed again only when the
/// file or its modification time changes.
/// </summary>
public sealed class OsReleaseCollector(CollectorContext context) : ICollector
{
    private readonly string[] _paths = [context.Root.Etc("os-release"), context.Root.Usr("lib/os-release")];
    private readonly ProcFile _file = new(2048);
    private string? _cachedPath;
    private DateTime _cachedMtime;
    private Release? _release;

    public string Name => "os";

    public void Update(MetricSink sink)
    {
        var release = Load() ?? throw new NoDataException($"no os-release file found ({string.Join(", ", _paths)})");

        sink.Family("node_os_info",
                "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
                MetricType.Gauge,
                "build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id")
            .Add(1, release.InfoLabels);

        if (release.Version > 0)
        {
            sink.Family("node_os_version", "Metric containing the major.minor part of the OS version.", MetricType.Gauge, "id", "id_like", "name")
                .Add(release.Version, release.Id, release.IdLike, release.Name);
        }

        if (release.SupportEnd is { } supportEnd)
        {
            sink.Single("node_os_support_end_timestamp_seconds", "Metric containing the end-of-life date timestamp of the OS.", MetricType.Gauge, supportEnd);
        }
    }

    private Release? Load()
    {
        foreach (var path in _paths)
        {
            if (!File.Exists(path))
            {
                continue;
            }

            var mtime = File.GetLastWriteTimeUtc(path);
            if (_release is not null && path == _cachedPath && mtime == _cachedMtime)
            {
                return _release;
            }

            if (_file.TryRead(path, out var content))
            {
                (_release, _cachedPath, _cachedMtime) = (Release.From(Parse(content)), path, mtime);
                return _release;
            }
        }

        return null;
    }

    /// <summary>
    /// KEY=value lines in the shell-like syntax of os-release(5) (hashicorp/go-envparse is what node_exporter
    /// uses): single quotes are literal, double quotes take \" \\ \$ \` \n \t escapes, an unquoted '#' starts a
    /// comment, "export " is allowed. go-envparse rejects the whole file on one bad line; we skip that line.
    /// </summary>
    internal static Dictionary<string, string> Parse(ReadOnlySpan<byte> content)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var scratch = new byte[content.Length];
        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            line = Span.Trim(line);
            var eq = line.IndexOf((byte)'=');
            if (line.IsEmpty || line[0] == (byte)'#' || eq < 0)
            {
                continue;
            }

            var key = Span.Trim(line[..eq]);
            if (key.StartsWith("export "u8))
            {
                key = Span.Trim(key["export ".Length..]);
            }

            if (IsKey(key) && TryUnquote(Span.Trim(line[(eq + 1)..]), scratch, out var length))
            {
                values[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(scratch, 0, length);
            }
        }

        return values;
    }

    private static bool IsKey(ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty || !(char.IsAsciiLetter((char)key[0]) || key[0] == (byte)'_'))
        {
            return false;
        }

        foreach (var b in key)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryUnquote(ReadOnlySpan<byte> value, Span<byte> output, out int length)
    {
        var mode = Mode.Plain;
        length = 0;

        // End of the last character that counts: whitespace before an unquoted comment is dropped.
        var significant = 0;
        foreach (var b in value)
        {
            switch (mode)
            {
                case Mode.Plain when b == (byte)'"':
                    mode = Mode.Double;
                    break;
                case Mode.Plain when b == (byte)'\'':
                    mode = Mode.Single;
                    break;
                case Mode.Plain when b == (byte)'#':
                    length = significant;
                    return true;
                case Mode.Plain:
                    output[length++] = b;
                    if (!Span.IsSpace(b))
                    {
                        significant = length;
                    }

                    break;
                case Mode.Double when b == (byte)'"':
                    mode = Mode.Plain;
                    break;
                case Mode.Double when b == (byte)'\\':
                    mode = Mode.Escape;
                    break;
                case Mode.Single when b == (byte)'\'':
                    mode = Mode.Plain;
                    break;
                case Mode.Double or Mode.Single:
                    output[length++] = b;
                    significant = length;
                    break;
                case Mode.Escape:
                    switch (b)
                    {
                        case (byte)'n':
                            output[length++] = (byte)'\n';
                            break;
                        case (byte)'t':
                            output[length++] = (byte)'\t';
                            break;
                        case (byte)'"' or (byte)'\\' or (byte)'$' or (byte)'`':
                            output[length++] = b;
                            break;
                        default:
                            // Not an escape os-release(5) knows: keep it as written.
                            output[length++] = (byte)'\\';
                            output[length++] = b;
                            break;
                    }

                    significant = length;
                    mode = Mode.Double;
                    break;
                default:
                    break;
            }
        }

        return mode == Mode.Plain;
    }

    private enum Mode
    {
        Plain,
        Double,
        Single,
        Escape,
    }

    private sealed record Release(string Id, string IdLike, string Name, string[] InfoLabels, double Version, double? SupportEnd)
    {
        public static Release From(Dictionary<string, string> env)
        {
            string Get(string key) => env.TryGetValue(key, out var v) ? v : "";

            string[] info =
            [
                Get("BUILD_ID"), Get("ID"), Get("ID_LIKE"), Get("IMAGE_ID"), Get("IMAGE_VERSION"), Get("NAME"), Get("PRETTY_NAME"),
                Get("VARIANT"), Get("VARIANT_ID"), Get("VERSION"), Get("VERSION_CODENAME"), Get("VERSION_ID"),
            ];
            return new Release(Get("ID"), Get("ID_LIKE"), Get("NAME"), info, MajorMinor(Get("VERSION_ID")), SupportEndSeconds(Get("SUPPORT_END")));
        }

        /// <summary>node_exporter's <c>^[0-9]+\.?[0-9]*</c> taken as a number; 0 when VERSION_ID does not start with a digit.</summary>
        private static double MajorMinor(string versionId)
        {
            var end = 0;
            while (end < versionId.Length && char.IsAsciiDigit(versionId[end]))
            {
                end++;
            }

            if (end == 0)
            {
                return 0;
            }

            if (end < versionId.Length && versionId[end] == '.')
            {
                end++;
                while (end < versionId.Length && char.IsAsciiDigit(versionId[end]))
                {
                    end++;
                }
            }

            return double.Parse(versionId.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }

        /// <summary>SUPPORT_END (YYYY-MM-DD) as Unix seconds at UTC midnight; null when absent or not a date.</summary>
        private static double? SupportEndSeconds(string supportEnd) =>
            DateTimeOffset.TryParseExact(supportEnd, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
                ? date.ToUnixTimeSeconds()
                : null;
    }
}
