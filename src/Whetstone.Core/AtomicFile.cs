using System.Text;

namespace Whetstone;

/// <summary>Writes a file whole or not at all: a temporary file beside the target, flushed to disk, then renamed
/// over it. Readers see the old version or the new one, never a part.</summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string content, bool overwrite = true) =>
        Write(path, stream =>
        {
            var bytes = Utf8NoBom.GetBytes(content);
            stream.Write(bytes);
        }, overwrite);

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, bool overwrite = true)
    {
        var copy = content.ToArray();
        Write(path, stream => stream.Write(copy), overwrite);
    }

    /// <summary>Streams content into the temporary file, then moves it into place.</summary>
    public static void Write(string path, Action<Stream> writeContent, bool overwrite = true)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }

            if (!overwrite && File.Exists(full))
            {
                return;
            }

            File.Move(temp, full, overwrite);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
