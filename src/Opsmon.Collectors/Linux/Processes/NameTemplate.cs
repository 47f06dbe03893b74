using System.Globalization;
using System.Text;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>What a group name template can refer to (process-exporter's templateParams).</summary>
internal sealed record ProcessAttributes(string Comm, string[] Argv, string Username, int Pid)
{
    /// <summary>argv[0], or comm when the command line is empty (kernel threads), as process-exporter does.</summary>
    public string ExeFull => Argv.Length > 0 ? Argv[0] : Comm;

    public string ExeBase => Argv.Length > 0 ? BaseName(Argv[0]) : Comm;

    /// <summary>Go's filepath.Base: the part after the last '/', trailing slashes ignored.</summary>
    public static string BaseName(string path)
    {
        var trimmed = path.AsSpan().TrimEnd('/');
        if (trimmed.IsEmpty)
        {
            return path.Length == 0 ? "." : "/";
        }

        var slash = trimmed.LastIndexOf('/');
        return slash < 0 && trimmed.Length == path.Length ? path : trimmed[(slash + 1)..].ToString();
    }
}

/// <summary>
/// A group name template in the subset of Go text/template process-exporter configs use:
/// literal text and {{.Comm}}, {{.ExeBase}}, {{.ExeFull}}, {{.Username}}, {{.PID}}, {{.Matches.NAME}}.
/// </summary>
internal sealed class NameTemplate
{
    private readonly (string? Literal, string? Field, string? Match)[] _parts;

    private NameTemplate((string?, string?, string?)[] parts, bool usesArgv, bool usesUsername)
    {
        _parts = parts;
        UsesArgv = usesArgv;
        UsesUsername = usesUsername;
    }

    public bool UsesArgv { get; }

    public bool UsesUsername { get; }

    /// <summary>Parses a template; throws <see cref="FormatException"/> naming the bad action.</summary>
    public static NameTemplate Parse(string template)
    {
        var parts = new List<(string?, string?, string?)>();
        var usesArgv = false;
        var usesUsername = false;
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((template[i..], null, null));
                break;
            }

            if (open > i)
            {
                parts.Add((template[i..open], null, null));
            }

            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"name template '{template}': unclosed '{{{{' at {open}");
            }

            var action = template[(open + 2)..close].Trim();
            switch (action)
            {
                case ".Comm" or ".PID":
                    parts.Add((null, action, null));
                    break;
                case ".ExeBase" or ".ExeFull":
                    usesArgv = true;
                    parts.Add((null, action, null));
                    break;
                case ".Username":
                    usesUsername = true;
                    parts.Add((null, action, null));
                    break;
                default:
                    if (action.StartsWith(".Matches.", StringComparison.Ordinal) && action.Length > ".Matches.".Length)
                    {
                        parts.Add((null, null, action[".Matches.".Length..]));
                        break;
                    }

                    throw new FormatException(
                        $"name template '{template}': unsupported action '{{{{{action}}}}}'; valid: {{{{.Comm}}}}, {{{{.ExeBase}}}}, {{{{.ExeFull}}}}, {{{{.Username}}}}, {{{{.PID}}}}, {{{{.Matches.NAME}}}}");
            }

            i = close + 2;
        }

        return new NameTemplate([.. parts], usesArgv, usesUsername);
    }

    public string Render(ProcessAttributes process, IReadOnlyDictionary<string, string>? matches)
    {
        if (_parts.Length == 1 && _parts[0].Field == ".Comm")
        {
            return process.Comm;
        }

        var sb = new StringBuilder();
        foreach (var (literal, field, match) in _parts)
        {
            if (literal is not null)
            {
                sb.Append(literal);
            }
            else if (match is not null)
            {
                // A missing key renders as "", as Go does for a map[string]string.
                sb.Append(matches is not null && matches.TryGetValue(match, out var value) ? value : string.Empty);
            }
            else
            {
                sb.Append(field switch
                {
                    ".Comm" => process.Comm,
                    ".ExeBase" => process.ExeBase,
                    ".ExeFull" => process.ExeFull,
                    ".Username" => process.Username,
                    _ => process.Pid.ToString(CultureInfo.InvariantCulture),
                });
            }
        }

        return sb.ToString();
    }
}
