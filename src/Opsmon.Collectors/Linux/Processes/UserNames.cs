using System.Globalization;
using Opsmon.Collectors.Parsing;

namespace Opsmon.Collectors.Linux.Processes;

/// <summary>uid → user name from the root's /etc/passwd, read once; the uid itself when unknown, as process-exporter does.</summary>
internal sealed class UserNames(FsRoot root)
{
    private Dictionary<int, string>? _names;

    public string Get(int uid)
    {
        _names ??= Load(root);
        if (!_names.TryGetValue(uid, out var name))
        {
            name = uid.ToString(CultureInfo.InvariantCulture);
            _names[uid] = name;
        }

        return name;
    }

    private static Dictionary<int, string> Load(FsRoot root)
    {
        var names = new Dictionary<int, string>();
        var file = new ProcFile(4096);
        if (!file.TryRead(root.Etc("passwd"), out var content))
        {
            return names;
        }

        var rest = content;
        while (Span.NextLine(ref rest, out var line))
        {
            // name:password:uid:gid:gecos:home:shell
            var first = line.IndexOf((byte)':');
            if (first <= 0)
            {
                continue;
            }

            var afterName = line[(first + 1)..];
            var second = afterName.IndexOf((byte)':');
            if (second < 0)
            {
                continue;
            }

            var afterPassword = afterName[(second + 1)..];
            var third = afterPassword.IndexOf((byte)':');
            var uidField = third < 0 ? afterPassword : afterPassword[..third];
            if (Span.TryParseInt64(uidField, out var uid) && !names.ContainsKey((int)uid))
            {
                names[(int)uid] = Span.ToText(line[..first]);
            }
        }

        return names;
    }
}
