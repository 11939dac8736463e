using System.Globalization;
using System.Text;

namespace Whetstone.Evaluation;

/// <summary>Turns texts into embedding vectors (MiniLM in <c>Whetstone.Models</c>; a fake in tests).</summary>
public interface ITextEmbedder
{
    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}

/// <summary>Final-answer similarity: 1 for a normalised exact match, else the cosine of the two answers'
/// embeddings (clamped to 0..1). Without an embedder, token F1 of the normalised texts stands in and the report says
/// so (<see cref="Method"/>).</summary>
public sealed class AnswerSimilarity
{
    public const string EmbeddingCosine = "embedding_cosine";
    public const string TokenF1 = "token_f1";

    private const int BatchSize = 32;
    private readonly ITextEmbedder? _embedder;

    public AnswerSimilarity(ITextEmbedder? embedder)
    {
        _embedder = embedder;
    }

    public string Method => _embedder is null ? TokenF1 : EmbeddingCosine;

    /// <summary>Lower-case, drop punctuation and the articles a/an/the, collapse white space (the usual QA
    /// normalisation).</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.ToLower(CultureInfo.InvariantCulture))
        {
            sb.Append(char.IsLetterOrDigit(ch) ? ch : ' ');
        }

        var words = sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w is not ("a" or "an" or "the"));
        return string.Join(' ', words);
    }

    public static bool ExactMatch(string? a, string? b)
    {
        var na = Normalize(a);
        return na.Length > 0 && na == Normalize(b);
    }

    /// <summary>Scores each pair; texts are embedded once each, in batches.</summary>
    public double[] Score(IReadOnlyList<(string? A, string? B)> pairs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var scores = new double[pairs.Count];
        var pending = new List<int>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
            {
                scores[i] = 0;
            }
            else if (ExactMatch(a, b))
            {
                scores[i] = 1;
            }
            else if (_embedder is null)
            {
                scores[i] = F1(Normalize(a), Normalize(b));
            }
            else
            {
                pending.Add(i);
            }
        }

        if (pending.Count == 0)
        {
            return scores;
        }

        var texts = pending.SelectMany(i => new[] { pairs[i].A!, pairs[i].B! }).Distinct(StringComparer.Ordinal).ToList();
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            var batch = texts.GetRange(start, Math.Min(BatchSize, texts.Count - start));
            var embedded = _embedder!.Embed(batch, cancellationToken);
            for (var k = 0; k < batch.Count; k++)
            {
                vectors[batch[k]] = embedded[k];
            }
        }

        foreach (var i in pending)
        {
            scores[i] = Math.Clamp(Cosine(vectors[pairs[i].A!], vectors[pairs[i].B!]), 0, 1);
        }

        return scores;
    }

    public static double Cosine(float[] a, float[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length || a.Length == 0)
        {
            return 0;
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    /// <summary>Token-overlap F1 of two normalised texts.</summary>
    public static double F1(string a, string b)
    {
        var ta = a.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var tb = b.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (ta.Length == 0 || tb.Length == 0)
        {
            return 0;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in tb)
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }

        var common = 0;
        foreach (var t in ta)
        {
            if (counts.TryGetValue(t, out var c) && c > 0)
            {
                common++;
                counts[t] = c - 1;
            }
        }

        if (common == 0)
        {
            return 0;
        }

        var precision = (double)common / ta.Length;
        var recall = (double)common / tb.Length;
        return 2 * precision * recall / (precision + recall);
    }
}
