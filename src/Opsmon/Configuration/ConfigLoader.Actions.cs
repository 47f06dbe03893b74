using Opsmon.Rules.Actions;

namespace Opsmon.Configuration;

public static partial class ConfigLoader
{
    /// <summary>
    /// The <c>actions:</c> list and <c>audit_log:</c>. Each entry is read as plain YAML values and validated by its
    /// action type (ActionCatalog), so a key that does not apply to the type is an error with its line, like an
    /// unknown key anywhere else.
    /// </summary>
    private static partial ActionsConfig ParseActions(ConfigFile file, string path, YamlLocator where, List<string> errors)
    {
        if (file.Actions is null && file.AuditLog is null)
        {
            return new ActionsConfig();
        }

        var actionErrors = new List<ActionConfigError>();
        var sections = (file.Actions ?? []).Select(a => (IReadOnlyDictionary<string, object?>?)a).ToList();
        var config = ActionsConfig.Parse(sections, file.AuditLog, actionErrors);
        errors.AddRange(actionErrors.Select(e => where.Error(path, e.KeyPath, e.Message)));
        if (actionErrors.Count > 0)
        {
            return new ActionsConfig();
        }

        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var auditLog = file.AuditLog is { } given
            ? (Path.IsPathRooted(given) ? given : Path.Combine(baseDir, given))
            : Path.Combine(file.Data ?? OpsmonConfig.DefaultDataDirectory(), "actions.log");
        return config with { AuditLog = auditLog };
    }

    private sealed partial class ConfigFile
    {
        /// <summary>The actions, each a mapping read by its type's parser (so unknown keys are reported per type).</summary>
        public List<Dictionary<string, object?>?>? Actions { get; set; }

        /// <summary>The actions' audit log (JSON lines); default DATA_DIR/actions.log.</summary>
        public string? AuditLog { get; set; }
    }
}
