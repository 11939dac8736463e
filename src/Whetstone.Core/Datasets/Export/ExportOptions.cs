namespace Whetstone.Datasets.Export;

/// <summary>How to export a snapshot.</summary>
public sealed record ExportOptions
{
    public required string Format { get; init; }

    /// <summary>Chat-template target for <c>hf</c> and <c>axolotl</c> (see <see cref="ExportFormats.Targets"/>).</summary>
    public string Target { get; init; } = ExportFormats.DefaultTarget;

    /// <summary>Examples over this many o200k tokens are not written.</summary>
    public int MaxTokens { get; init; } = 32768;

    /// <summary>Splits to write (all three by default; training jobs leave out the eval split).</summary>
    public IReadOnlyList<Split> Splits { get; init; } = [Split.Train, Split.Validation, Split.Eval];

    /// <summary>Fail instead of skipping runs that cannot be made into a valid example.</summary>
    public bool Strict { get; init; }

    /// <summary>Count the o200k tokens of every written example (for a job's token statistics).</summary>
    public bool CountTokens { get; init; }

    /// <summary>Base model for configs that name one (axolotl); a placeholder otherwise.</summary>
    public string? BaseModel { get; init; }
}
