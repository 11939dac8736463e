namespace Whetstone.Registry.LiveConfig;

/// <summary>Reads and rewrites single keys of an agent's config file as text, leaving every other byte as it was.
/// Key paths are dotted (<c>llm.model</c>). Values are raw text in the file's syntax (a JSON literal, a YAML
/// scalar).</summary>
internal interface ILiveConfigFormat
{
    /// <summary>The raw text of the value at <paramref name="path"/>, or null when the key is absent.</summary>
    string? Get(string content, string path);

    /// <summary>Sets the value at <paramref name="path"/> to <paramref name="raw"/> (creating the key, and missing
    /// parents, when absent); null removes the key.</summary>
    string Set(string content, string path, string? raw);

    /// <summary>The raw text for a string value in this syntax.</summary>
    string Quote(string value);

    /// <summary>Throws <see cref="WhetstoneException"/> when the content does not parse.</summary>
    void Validate(string content, string fileName);
}
