using Whetstone.Evaluation;
using Whetstone.Registry;

namespace Whetstone.Models;

/// <summary>Creates the model client a spec names: <c>openai:URL</c>, <c>gguf:PATH</c> or <c>replay:FILE</c>.
/// <c>none</c> has no client (such a model is evaluated in shadow mode only) and is refused here. Clients that hold
/// resources (HTTP connections, a loaded model) implement <see cref="IDisposable"/>: dispose them with
/// <see cref="Release"/> when the evaluation is done.</summary>
public static class ModelClients
{
    public static IModelClient Create(string spec, ModelClientOptions options) => Create(ClientSpec.Parse(spec), options);

    public static IModelClient Create(ClientSpec spec, ModelClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return spec.Kind switch
        {
            ClientSpec.OpenAi => new OpenAiModelClient(new Uri(spec.Target!), options),
            ClientSpec.Gguf => GgufModelClient.Load(options.ResolvePath(spec.Target!), options),
            ClientSpec.Replay => ReplayModelClient.Load(options.ResolvePath(spec.Target!)),
            _ => throw new WhetstoneException(ErrorCode.BadInput,
                "this model has no callable client (spec 'none'): it can be evaluated only from its own captured runs (--mode shadow)",
                "no_callable_model"),
        };
    }

    /// <summary>Whether a spec names a callable model (anything but <c>none</c>): the default mode is replay when the
    /// candidate has one, else shadow.</summary>
    public static bool IsCallable(string spec) => ClientSpec.Parse(spec).Kind != ClientSpec.None;

    /// <summary>Disposes a client made by <see cref="Create(string, ModelClientOptions)"/> if it holds resources.</summary>
    public static void Release(IModelClient? client)
    {
        if (client is IDisposable d)
        {
            d.Dispose();
        }
    }
}
