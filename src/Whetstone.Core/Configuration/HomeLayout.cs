using System.Security.Cryptography;

namespace Whetstone.Configuration;

/// <summary>The files and folders of a Whetstone home (default <c>./.whetstone</c>).</summary>
public sealed class HomeLayout
{
    public HomeLayout(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string ConfigFile => Path.Combine(Root, "whetstone.json");

    public string Database => Path.Combine(Root, "whetstone.db");

    public string Artifacts => Path.Combine(Root, "artifacts");

    public string Jobs => Path.Combine(Root, "jobs");

    public string Exports => Path.Combine(Root, "exports");

    public string Logs => Path.Combine(Root, "logs");

    public string AuditMirror => Path.Combine(Root, "audit.jsonl");

    /// <summary>The per-home key for keyed hashes of identifiers; never leaves the home.</summary>
    public string IdKeyFile => Path.Combine(Root, "id.key");

    public void EnsureCreated()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Artifacts);
    }

    /// <summary>Reads the identifier key, creating a random one (owner-only permissions) on first use.</summary>
    public byte[] LoadOrCreateIdKey()
    {
        EnsureCreated();
        if (File.Exists(IdKeyFile))
        {
            var existing = File.ReadAllBytes(IdKeyFile);
            if (existing.Length < 32)
            {
                throw new WhetstoneException(ErrorCode.InvalidConfiguration,
                    $"{IdKeyFile} is damaged ({existing.Length} bytes, expected 32); restore it from a backup");
            }

            return existing;
        }

        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(IdKeyFile, options);
            stream.Write(key);
            stream.Flush(flushToDisk: true);
            return key;
        }
        catch (IOException) when (File.Exists(IdKeyFile))
        {
            // Another process created it first: use theirs.
            return File.ReadAllBytes(IdKeyFile);
        }
    }
}
