namespace Whetstone.Redaction;

/// <summary>Finds one family of sensitive values in text. Implementations are stateless and thread-safe.</summary>
public interface IDetector
{
    /// <summary>Adds a finding for every sensitive span of <paramref name="text"/>.</summary>
    void Detect(string text, ICollection<Finding> findings);
}

/// <summary>A sensitive span: UTF-16 offsets into the text, end exclusive, and a stable kind name
/// (<c>email</c>, <c>aws_access_key</c>, …).</summary>
public readonly record struct Finding(int Start, int End, string Kind)
{
    public int Length => End - Start;
}
