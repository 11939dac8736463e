using Whetstone.Configuration;
using Whetstone.Evaluation;
using Whetstone.Registry;

namespace Whetstone.Models;

/// <summary>The hosts' <see cref="IModelClientFactory"/>: clients from each candidate's client spec with the
/// <c>Whetstone:Evaluation</c> settings (the API key from configuration or <c>WHETSTONE_MODEL_API_KEY</c>, passed in
/// by the host), and the MiniLM embedder for answer similarity.</summary>
public sealed class ModelClientFactory(EvaluationOptions options, string? apiKey, string? baseDirectory, bool useEmbedder = true) : IModelClientFactory
{
    public IModelClient Create(Candidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var clientOptions = ModelClientOptions.From(options, candidate.Model, baseDirectory);
        return ModelClients.Create(candidate.Client, apiKey is null ? clientOptions : clientOptions with { ApiKey = apiKey });
    }

    public ITextEmbedder? CreateEmbedder() => useEmbedder ? TextEmbedders.MiniLm() : null;

    public void Release(object? resource)
    {
        if (resource is IDisposable d)
        {
            d.Dispose();
        }
    }
}
