using Microsoft.Extensions.Configuration;
using Whetstone.Configuration;
using Whetstone.Quality;

namespace Whetstone.Core.Tests.Quality;

public class QualityOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoProblem()
    {
        Assert.Empty(new WhetstoneOptions().Validate());
    }

    [Fact]
    public void Validate_BadValues_EachProblemNamesItsKey()
    {
        var options = new WhetstoneOptions
        {
            Quality = new QualityOptions
            {
                MinScore = 1.5,
                MaxTrainingTokens = 10,
                LoopRepeats = 1,
                NearDuplicateThreshold = 0.2,
                InefficientPathFactor = 0.5,
                Rules = new(StringComparer.OrdinalIgnoreCase) { ["no_such_rule"] = "reject", ["loop"] = "sometimes" },
            },
        };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:MinScore:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:MaxTrainingTokens:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:LoopRepeats:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:NearDuplicateThreshold:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:InefficientPathFactor:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:Rules:no_such_rule:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Whetstone:Quality:Rules:loop: 'sometimes'", StringComparison.Ordinal));
    }

    [Fact]
    public void From_InvalidOptions_InvalidConfiguration()
    {
        var e = Assert.Throws<WhetstoneException>(() => QualityPolicy.From(new QualityOptions { MinReward = -1 }));

        Assert.Equal(ErrorCode.InvalidConfiguration, e.Code);
        Assert.Contains("Whetstone:Quality:MinReward", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ActionFor_ConfiguredCode_OverridesDefault()
    {
        var policy = QualityPolicy.From(new QualityOptions { Rules = new(StringComparer.OrdinalIgnoreCase) { ["INEFFICIENT_PATH"] = "reject" } });

        Assert.Equal(RuleAction.Reject, policy.ActionFor(QualityCodes.InefficientPath));
        Assert.Equal(RuleAction.DownWeight, QualityPolicy.Default.ActionFor(QualityCodes.InefficientPath));
    }

    [Fact]
    public void Version_DependsOnEveryThreshold()
    {
        var a = QualityPolicy.From(new QualityOptions());
        var b = QualityPolicy.From(new QualityOptions { MaxRetries = 4 });

        Assert.Equal(QualityPolicy.Default.Version, a.Version);
        Assert.NotEqual(a.Version, b.Version);
        Assert.StartsWith("q1-", a.Version, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_QualitySectionFromConfiguration_Bound()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Whetstone:Quality:MinScore"] = "0.6",
                ["Whetstone:Quality:Rules:inefficient_path"] = "reject",
            })
            .Build();

        var options = ConfigurationLoader.Bind(configuration);

        Assert.Equal(0.6, options.Quality.MinScore);
        Assert.Equal(RuleAction.Reject, QualityPolicy.From(options.Quality).ActionFor(QualityCodes.InefficientPath));
    }
}

public class QualityCodesTests
{
    [Fact]
    public void All_EveryCode_DocumentedInTheReadme()
    {
        var readme = File.ReadAllText(Path.Combine(Whetstone.Tests.TestPaths.Root, "README.md"));

        Assert.All(QualityCodes.All, c => Assert.Contains($"| `{c.Code}` |", readme, StringComparison.Ordinal));
    }

    [Fact]
    public void All_Codes_StableSnakeCaseAndUnique()
    {
        Assert.All(QualityCodes.All, c => Assert.Matches("^[a-z]+(_[a-z]+)*$", c.Code));
        Assert.Equal(QualityCodes.All.Count, QualityCodes.All.Select(c => c.Code).Distinct().Count());
    }
}
