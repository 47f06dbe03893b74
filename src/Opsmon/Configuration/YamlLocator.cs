using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Opsmon.Configuration;

/// <summary>
/// Finds where a key path such as <c>actions[2].timeout</c> sits in a YAML document, so that errors found after
/// deserialization (a bad value, a missing key) still name the line and column.
/// </summary>
public sealed class YamlLocator
{
    private readonly YamlNode? _root;

    public YamlLocator(string yaml)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            _root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (YamlException)
        {
            _root = null;
        }
    }

    /// <summary>
    /// The position of the deepest node of <paramref name="keyPath"/> that exists: the key itself when present,
    /// otherwise its nearest ancestor (a missing key is reported where it should have been). Null when the document
    /// has no root.
    /// </summary>
    public Mark? Find(string keyPath)
    {
        if (_root is null)
        {
            return null;
        }

        var node = _root;
        var mark = _root.Start;
        foreach (var step in Steps(keyPath))
        {
            if (step.Key is { } key && node is YamlMappingNode map)
            {
                var entry = map.Children.FirstOrDefault(c => c.Key is YamlScalarNode s && s.Value == key);
                if (entry.Key is null)
                {
                    return mark;
                }

                mark = entry.Key.Start;
                node = entry.Value;
            }
            else if (step.Index is { } index && node is YamlSequenceNode seq && index < seq.Children.Count)
            {
                node = seq.Children[index];
                mark = node.Start;
            }
            else
            {
                return mark;
            }
        }

        return mark;
    }

    /// <summary>"FILE:LINE:COL: KEYPATH: MESSAGE", the form every configuration error takes.</summary>
    public string Error(string file, string keyPath, string message)
    {
        var mark = Find(keyPath);
        return mark is { } m
            ? string.Create(CultureInfo.InvariantCulture, $"{file}:{m.Line}:{m.Column}: {keyPath}: {message}")
            : $"{file}: {keyPath}: {message}";
    }

    private static IEnumerable<(string? Key, int? Index)> Steps(string keyPath)
    {
        foreach (var part in keyPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0)
            {
                yield return (name, null);
            }

            while (bracket >= 0)
            {
                var close = part.IndexOf(']', bracket);
                if (close < 0 || !int.TryParse(part.AsSpan(bracket + 1, close - bracket - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i))
                {
                    yield break;
                }

                yield return (null, i);
                bracket = part.IndexOf('[', close);
            }
        }
    }
}
