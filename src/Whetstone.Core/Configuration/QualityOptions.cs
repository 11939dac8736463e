using System.Globalization;
using Whetstone.Quality;

namespace Whetstone.Configuration;

/// <summary>The <c>Whetstone:Quality</c> section: thresholds of the quality gate and, per signal code, whether it
/// rejects a run, only lowers its score, or is off. Validated at start-up; every problem names its key.</summary>
public sealed class QualityOptions
{
    public const string Key = "Whetstone:Quality";

    /// <summary>A run whose score is below this is rejected with <c>score_below_threshold</c>.</summary>
    public double MinScore { get; set; } = 0.5;

    /// <summary>A reported reward below this rejects the run with <c>low_reward</c>.</summary>
    public double MinReward { get; set; } = 0.5;

    /// <summary>Score a run starts from when it reports no outcome (the rules then infer from the run itself).</summary>
    public double InferredBaseScore { get; set; } = 0.7;

    /// <summary>Longest run (o200k tokens over every message, tool call and tool definition) still used for
    /// training; longer runs get <c>too_long_for_training</c>.</summary>
    public int MaxTrainingTokens { get; set; } = 32_768;

    /// <summary>The same call (tool and arguments) made this many times is a <c>loop</c>.</summary>
    public int LoopRepeats { get; set; } = 3;

    /// <summary>More consecutive retries of one tool than this (after errors or with near-identical arguments)
    /// is <c>excessive_retries</c>.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>A run with more than this many times the steps of the shortest accepted run of its task cluster
    /// (and at least two steps more) is flagged <c>inefficient_path</c>.</summary>
    public double InefficientPathFactor { get; set; } = 2.0;

    /// <summary>Estimated Jaccard similarity (MinHash over normalised task text + tool-call sequence) from which
    /// two runs are near-duplicates.</summary>
    public double NearDuplicateThreshold { get; set; } = 0.9;

    /// <summary>Cosine similarity of the task texts' sentence embeddings (MiniLM) from which two tasks are one task
    /// cluster; 0 (the default) leaves clusters to task keys, exact task text and near-duplicates. Between 0.5 and 1
    /// when on.</summary>
    public double SemanticClusterThreshold { get; set; }

    /// <summary>Semantic clustering embeds every distinct task on each rescore (a few ms a task on CPU): past this
    /// many distinct tasks a rescore stops with an error naming this key instead of running for hours.</summary>
    public int SemanticClusterMaxTasks { get; set; } = 20_000;

    /// <summary>Final answers up to this many words are compared with the answers of other runs of the same task
    /// (label-free consensus); longer answers are free text and are not compared.</summary>
    public int ConsensusMaxAnswerWords { get; set; } = 20;

    /// <summary>Per signal code: <c>reject</c>, <c>downweight</c> (only its score contribution counts) or
    /// <c>off</c>. Codes not listed keep their default (see README).</summary>
    public Dictionary<string, string> Rules { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    internal QualityOptions Clone()
    {
        var copy = (QualityOptions)MemberwiseClone();
        copy.Rules = new Dictionary<string, string>(Rules, StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    internal void Validate(List<string> problems)
    {
        Range(problems, nameof(MinScore), MinScore, 0, 1);
        Range(problems, nameof(MinReward), MinReward, 0, 1);
        Range(problems, nameof(InferredBaseScore), InferredBaseScore, 0, 1);
        Range(problems, nameof(NearDuplicateThreshold), NearDuplicateThreshold, 0.5, 1);
        if (double.IsNaN(SemanticClusterThreshold) || SemanticClusterThreshold != 0 && SemanticClusterThreshold is < 0.5 or > 1)
        {
            problems.Add($"{Key}:{nameof(SemanticClusterThreshold)}: {Format(SemanticClusterThreshold)} must be 0 (off) or between 0.5 and 1");
        }

        if (SemanticClusterMaxTasks < 1)
        {
            problems.Add($"{Key}:{nameof(SemanticClusterMaxTasks)}: {SemanticClusterMaxTasks} must be at least 1");
        }

        if (MaxTrainingTokens < 256)
        {
            problems.Add($"{Key}:{nameof(MaxTrainingTokens)}: {MaxTrainingTokens} must be at least 256");
        }

        if (LoopRepeats < 2)
        {
            problems.Add($"{Key}:{nameof(LoopRepeats)}: {LoopRepeats} must be at least 2");
        }

        if (MaxRetries < 1)
        {
            problems.Add($"{Key}:{nameof(MaxRetries)}: {MaxRetries} must be at least 1");
        }

        if (double.IsNaN(InefficientPathFactor) || InefficientPathFactor < 1)
        {
            problems.Add($"{Key}:{nameof(InefficientPathFactor)}: {Format(InefficientPathFactor)} must be at least 1");
        }

        if (ConsensusMaxAnswerWords < 1)
        {
            problems.Add($"{Key}:{nameof(ConsensusMaxAnswerWords)}: {ConsensusMaxAnswerWords} must be at least 1");
        }

        foreach (var (code, action) in Rules)
        {
            if (QualityCodes.Find(code) is null)
            {
                problems.Add($"{Key}:Rules:{code}: '{code}' is not a quality signal code (known: {string.Join(", ", QualityCodes.Configurable)})");
            }
            else if (!RuleActions.TryParse(action, out _))
            {
                problems.Add($"{Key}:Rules:{code}: '{action}' is not an action (expected reject, downweight or off)");
            }
        }
    }

    private static void Range(List<string> problems, string name, double value, double min, double max)
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            problems.Add($"{Key}:{name}: {Format(value)} must be between {Format(min)} and {Format(max)}");
        }
    }

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);
}
