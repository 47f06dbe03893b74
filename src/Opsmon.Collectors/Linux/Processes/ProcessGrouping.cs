using System.Text.RegularExpressions;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>
/// process-exporter's process_names matchers: a process belongs to the first rule it matches. Within a rule,
/// comm (any of) AND exe (any of, argv[0] by base name or full path) AND cmdline (all regexes, on argv joined
/// by spaces) must hold; named captures feed {{.Matches.NAME}}. With no rules every process is grouped by comm.
/// https://github.com/ncabatoff/process-exporter#using-a-config-file-process-names
/// </summary>
internal sealed class ProcessGrouping
{
    private readonly CompiledRule[] _rules;

    public ProcessGrouping(IReadOnlyList<ProcessGroupRule> rules)
    {
        _rules = new CompiledRule[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            _rules[i] = CompiledRule.Compile(rules[i], i);
            UsesArgv |= _rules[i].UsesArgv;
            UsesUsername |= _rules[i].Template.UsesUsername;
        }
    }

    /// <summary>Compiles one rule to check it; throws <see cref="ArgumentException"/> naming rule <paramref name="index"/> when it is invalid.</summary>
    public static void Validate(ProcessGroupRule rule, int index) => _ = CompiledRule.Compile(rule, index);

    /// <summary>No rules: every process, kernel threads included, is its own comm's group.</summary>
    public bool ByComm => _rules.Length == 0;

    public bool UsesArgv { get; }

    public bool UsesUsername { get; }

    /// <summary>The group name of the first matching rule, or null when no rule matches.</summary>
    public string? Match(ProcessAttributes process)
    {
        if (ByComm)
        {
            return process.Comm;
        }

        foreach (var rule in _rules)
        {
            if (rule.TryMatch(process, out var matches))
            {
                return rule.Template.Render(process, matches);
            }
        }

        return null;
    }

    private sealed record CompiledRule(HashSet<string>? Comms, Dictionary<string, string>? Exes, Regex[]? Cmdlines, NameTemplate Template)
    {
        public bool UsesArgv => Exes is not null || Cmdlines is not null || Template.UsesArgv;

        public static CompiledRule Compile(ProcessGroupRule rule, int index)
        {
            NameTemplate template;
            try
            {
                template = NameTemplate.Parse(string.IsNullOrEmpty(rule.Name) ? "{{.Comm}}" : rule.Name);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"process group rule {index}: {e.Message}", nameof(rule), e);
            }

            var comms = rule.Comm.Count > 0 ? new HashSet<string>(rule.Comm, StringComparer.Ordinal) : null;
            Dictionary<string, string>? exes = null;
            if (rule.Exe.Count > 0)
            {
                // Like process-exporter: a bare name matches argv[0]'s base name, a path must equal argv[0].
                exes = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var exe in rule.Exe)
                {
                    exes[ProcessAttributes.BaseName(exe)] = exe.Contains('/', StringComparison.Ordinal) ? exe : string.Empty;
                }
            }

            Regex[]? cmdlines = null;
            if (rule.Cmdline.Count > 0)
            {
                cmdlines = new Regex[rule.Cmdline.Count];
                for (var i = 0; i < cmdlines.Length; i++)
                {
                    cmdlines[i] = CompileGoRegex(rule.Cmdline[i], index);
                }
            }

            return new CompiledRule(comms, exes, cmdlines, template);
        }

        public bool TryMatch(ProcessAttributes process, out Dictionary<string, string>? matches)
        {
            matches = null;
            if (Comms is not null && !Comms.Contains(process.Comm))
            {
                return false;
            }

            if (Exes is not null)
            {
                if (process.Argv.Length == 0 ||
                    !Exes.TryGetValue(ProcessAttributes.BaseName(process.Argv[0]), out var full) ||
                    (full.Length > 0 && !string.Equals(full, process.Argv[0], StringComparison.Ordinal)))
                {
                    return false;
                }
            }

            if (Cmdlines is not null)
            {
                var joined = string.Join(' ', process.Argv);
                foreach (var regex in Cmdlines)
                {
                    var match = regex.Match(joined);
                    if (!match.Success)
                    {
                        return false;
                    }

                    foreach (var group in match.Groups.Values)
                    {
                        if (!int.TryParse(group.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                        {
                            matches ??= new Dictionary<string, string>(StringComparer.Ordinal);
                            matches[group.Name] = group.Value;
                        }
                    }
                }
            }

            return true;
        }

        private static Regex CompileGoRegex(string pattern, int index)
        {
            // RE2 spells named groups (?P<name>...); .NET wants (?<name>...). The non-backtracking engine
            // keeps RE2's linear-time guarantee for user-supplied patterns.
            var translated = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
            try
            {
                return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"process group rule {index}: bad cmdline regex '{pattern}': {e.Message}", nameof(pattern), e);
            }
        }
    }
}
