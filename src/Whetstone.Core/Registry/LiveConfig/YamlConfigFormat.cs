using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Whetstone.Registry.LiveConfig;

/// <summary>Key edits on YAML text (block mappings) by character span from YamlDotNet's parser marks: a scalar value
/// is replaced in place; a new key becomes a new line after the last entry of its parent mapping, indented like its
/// siblings; removing a key removes exactly its lines.</summary>
internal sealed partial class YamlConfigFormat : ILiveConfigFormat
{
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_./:@+\-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();

    [GeneratedRegex(@"^(?:true|false|yes|no|on|off|null|~|y|n)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Reserved();

    public string Quote(string value) =>
        PlainSafe().IsMatch(value) && !Reserved().IsMatch(value)
            ? value
            : System.Text.Json.JsonSerializer.Serialize(value, WhetstoneJson.Compact.String);

    public void Validate(string content, string fileName)
    {
        try
        {
            var parser = new Parser(new StringReader(content));
            while (parser.MoveNext())
            {
            }
        }
        catch (YamlException e)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"{fileName} is not valid YAML: {e.Message}");
        }
    }

    public string? Get(string content, string path)
    {
        var hit = Find(content, path.Split('.'));
        return hit.Found ? content[hit.ValueStart..hit.ValueEnd] : null;
    }

    public string Set(string content, string path, string? raw)
    {
        var keys = path.Split('.');
        var hit = Find(content, keys);
        if (hit.Found)
        {
            if (raw is not null)
            {
                return content[..hit.ValueStart] + raw + content[hit.ValueEnd..];
            }

            var from = LineStart(content, hit.KeyStart);
            var to = LineEnd(content, hit.ValueEnd);
            return content[..from] + content[to..];
        }

        if (raw is null)
        {
            return content;
        }

        // hit describes the deepest existing parent mapping.
        if (hit.ParentIsFlow)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, $"cannot add '{path}': its parent is a flow mapping ({{...}}); write it as a block mapping");
        }

        var indent = hit.ChildIndent ?? (hit.Depth == 0 ? "" : new string(' ', hit.ParentIndent + 2));
        var lines = new System.Text.StringBuilder();
        for (var i = hit.Depth; i < keys.Length; i++)
        {
            var pad = indent + new string(' ', 2 * (i - hit.Depth));
            lines.Append(pad).Append(keys[i]).Append(':');
            lines.Append(i == keys.Length - 1 ? " " + raw + "\n" : "\n");
        }

        var at = hit.InsertAt;
        var prefix = content[..at];
        if (prefix.Length > 0 && !prefix.EndsWith('\n'))
        {
            prefix += "\n";
        }

        return prefix + lines + content[at..];
    }

    private static int LineStart(string s, int i)
    {
        var n = s.LastIndexOf('\n', Math.Max(0, i - 1));
        return n < 0 ? 0 : n + 1;
    }

    private static int LineEnd(string s, int i)
    {
        var n = s.IndexOf('\n', i);
        return n < 0 ? s.Length : n + 1;
    }

    private record struct Hit(bool Found, int KeyStart, int ValueStart, int ValueEnd, int Depth, int InsertAt, string? ChildIndent, int ParentIndent, bool ParentIsFlow);

    private static Hit Find(string content, string[] keys)
    {
        var parser = new Parser(new StringReader(content));
        parser.Consume<StreamStart>();
        if (!parser.TryConsume<DocumentStart>(out _) || !parser.TryConsume<MappingStart>(out var root))
        {
            // Empty document: everything goes at the end.
            return new Hit(false, 0, 0, 0, 0, content.Length, null, 0, false);
        }

        return InMapping(parser, content, keys, 0, root, 0);
    }

    private static Hit InMapping(IParser parser, string content, string[] keys, int level, MappingStart mapping, int mappingIndent)
    {
        string? childIndent = null;
        var lastEnd = (int)mapping.End.Index;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            childIndent ??= Indent(content, (int)key.Start.Index);
            if (key.Value == keys[level])
            {
                if (level == keys.Length - 1)
                {
                    var start = (int)parser.Current!.Start.Index;
                    if (parser.TryConsume<Scalar>(out var scalar))
                    {
                        return new Hit(true, (int)key.Start.Index, start, (int)scalar.End.Index, level, 0, childIndent, mappingIndent, false);
                    }

                    parser.SkipThisAndNestedEvents();
                    return new Hit(true, (int)key.Start.Index, start, (int)parser.Current!.Start.Index, level, 0, childIndent, mappingIndent, false);
                }

                if (parser.TryConsume<MappingStart>(out var child))
                {
                    if (child.Style == MappingStyle.Flow)
                    {
                        return new Hit(false, 0, 0, 0, level + 1, 0, null, 0, true);
                    }

                    return InMapping(parser, content, keys, level + 1, child, Indent(content, (int)key.Start.Index).Length);
                }

                throw new WhetstoneException(ErrorCode.InvalidConfiguration,
                    $"cannot set '{string.Join('.', keys)}': '{string.Join('.', keys[..(level + 1)])}' is not a mapping");
            }

            parser.SkipThisAndNestedEvents();
            lastEnd = (int)(parser.Current?.Start.Index ?? content.Length);
            lastEnd = LastContentEnd(content, lastEnd);
        }

        var insertAt = childIndent is null ? LineEnd(content, (int)mapping.Start.Index) : LineEnd(content, Math.Max(0, lastEnd - 1));
        if (level == 0 && childIndent is null)
        {
            insertAt = content.Length;
        }

        return new Hit(false, 0, 0, 0, level, insertAt, childIndent, mappingIndent, mapping.Style == MappingStyle.Flow);
    }

    /// <summary>The end of the last non-blank, non-comment text before <paramref name="next"/>.</summary>
    private static int LastContentEnd(string content, int next)
    {
        var i = Math.Min(next, content.Length) - 1;
        while (i >= 0)
        {
            var lineStart = LineStart(content, i);
            var line = content[lineStart..(i + 1)].Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                return i + 1;
            }

            i = lineStart - 1;
        }

        return 0;
    }

    private static string Indent(string content, int at)
    {
        var start = LineStart(content, at);
        return content[start..at];
    }
}
