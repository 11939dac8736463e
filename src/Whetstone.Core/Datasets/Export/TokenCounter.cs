using Microsoft.ML.Tokenizers;

namespace Whetstone.Datasets.Export;

/// <summary>o200k token counts (the GPT-4o tokenizer, from Microsoft.ML.Tokenizers), loaded once.</summary>
public static class TokenCounter
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public static int Count(string text) => string.IsNullOrEmpty(text) ? 0 : O200k.Value.CountTokens(text);
}
