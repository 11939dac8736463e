using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Whetstone.Configuration;

namespace Whetstone.Quality;

/// <summary>The effective quality policy: validated options with every code's action resolved, and a version
/// that changes whenever any of it changes (stored in each verdict).</summary>
public sealed class QualityPolicy
{
    private readonly Dictionary<string, RuleAction> _actions;

    private QualityPolicy(QualityOptions options)
    {
        Options = options;
        _actions = new Dictionary<string, RuleAction>(StringComparer.Ordinal);
        foreach (var code in QualityCodes.All)
        {
            _actions[code.Code] = code.DefaultAction;
        }

        foreach (var (code, text) in options.Rules)
        {
            RuleActions.TryParse(text, out var action);
            _actions[QualityCodes.Get(code).Code] = action;
        }

        Version = ComputeVersion();
    }

    /// <summary>The policy of the default options.</summary>
    public static QualityPolicy Default => new(new QualityOptions());

    public static QualityPolicy From(QualityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        options.Validate(problems);
        if (problems.Count > 0)
        {
            throw new WhetstoneException(ErrorCode.InvalidConfiguration, "invalid configuration:\n  " + string.Join("\n  ", problems));
        }

        return new QualityPolicy(options.Clone());
    }

    /// <summary>A private copy of the options the policy was made from (changing the caller's instance later
    /// changes nothing here).</summary>
    public QualityOptions Options { get; }

    /// <summary><c>q1-</c> + 10 hex digits of SHA-256 over the effective policy.</summary>
    public string Version { get; }

    public RuleAction ActionFor(string code) => _actions.TryGetValue(code, out var a) ? a : RuleAction.DownWeight;

    private string ComputeVersion()
    {
        var o = Options;
        var sb = new StringBuilder("q1");
        foreach (var v in new[]
                 {
                     o.MinScore, o.MinReward, o.InferredBaseScore, o.MaxTrainingTokens, o.LoopRepeats, o.MaxRetries,
                     o.InefficientPathFactor, o.NearDuplicateThreshold, o.ConsensusMaxAnswerWords,
                 })
        {
            sb.Append('|').Append(v.ToString("R", CultureInfo.InvariantCulture));
        }

        if (o.SemanticClusterThreshold > 0)
        {
            // Only when on, so the versions of policies without it stay what they were.
            sb.Append("|semantic=").Append(o.SemanticClusterThreshold.ToString("R", CultureInfo.InvariantCulture));
        }

        foreach (var (code, action) in _actions.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append('|').Append(code).Append('=').Append(RuleActions.Name(action));
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()));
        return "q1-" + Convert.ToHexStringLower(hash)[..10];
    }
}
