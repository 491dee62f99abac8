using Xunit;
using Msr.Core.Reports;
using Msr.Core.Results;
using Msr.Core.Stats;

namespace Msr.Core.Tests.Reports;

/// <summary><c>msr check</c>'s logic on run records with chosen numbers (no training).</summary>
public class RegressionCheckTests
{
    static readonly double[] Noise = [0.0010, -0.0008, 0.0003, -0.0005, 0.0000];

    /// <summary>One run per seed; AUC = auc + noise, logloss = logloss − noise (both "better" together).</summary>
    static List<RunRecord> Runs(string model, double auc, double logloss, long[] seeds, IReadOnlyDictionary<string, string>? options = null) =>
        [.. seeds.Select((s, i) => SyntheticRecords.Completed("synthetic", model, s, auc + Noise[i % Noise.Length],
            logloss - Noise[i % Noise.Length], options: options))];

    static readonly long[] BaseSeeds = [1, 2, 3, 4, 5], NewSeeds = [11, 12, 13, 14, 15];

    static RegressionCheckResult Check(List<RunRecord> baseline, List<RunRecord> current, RegressionCheckOptions? options = null) =>
        RegressionCheck.Run(baseline, current, options ?? new RegressionCheckOptions { Margin = 0.01 });

    [Fact]
    public void Same_numbers_with_other_seeds_pass_for_every_cell()
    {
        var result = Check(Runs("MMoE", 0.80, 0.45, BaseSeeds), Runs("MMoE", 0.80, 0.45, NewSeeds));
        Assert.Equal(0, result.ExitCode);
        // overall, s0, s1 × auc, logloss
        Assert.Equal(6, result.Cells.Count);
        Assert.All(result.Cells, c => Assert.Equal(CheckVerdict.NonInferior, c.Verdict));
        Assert.Contains("Result: PASS", RegressionCheck.Render(result));
    }

    [Fact]
    public void A_clearly_worse_model_fails_and_is_listed_first()
    {
        var baseline = Runs("MMoE", 0.80, 0.45, BaseSeeds).Concat(Runs("STAR", 0.80, 0.45, BaseSeeds)).ToList();
        var current = Runs("MMoE", 0.80, 0.45, NewSeeds).Concat(Runs("STAR", 0.75, 0.50, NewSeeds)).ToList();
        var result = Check(baseline, current);
        Assert.Equal(1, result.ExitCode);
        Assert.All(result.Cells.Take(6), c => Assert.Equal(("STAR", CheckVerdict.Worse), (c.Model, c.Verdict)));
        Assert.All(result.Cells.Skip(6), c => Assert.True(c.Passed));
        var text = RegressionCheck.Render(result);
        Assert.Contains("| synthetic | overall | STAR | auc ↑ | 5/5 | 0.8000 | 0.7500 | -0.0500 | 0.0100 |", text);
        Assert.Contains("FAIL: worse", text);
        Assert.Contains("Result: FAIL", text);
        Assert.True(text.IndexOf("STAR", StringComparison.Ordinal) < text.IndexOf("MMoE", StringComparison.Ordinal), "worst first");
    }

    [Fact]
    public void The_margin_decides_whether_a_small_loss_is_tolerated()
    {
        var baseline = Runs("MMoE", 0.800, 0.450, BaseSeeds);
        var current = Runs("MMoE", 0.795, 0.455, NewSeeds);
        Assert.Equal(0, Check(baseline, current, new RegressionCheckOptions { Margin = 0.01 }).ExitCode);
        var tight = Check(baseline, current, new RegressionCheckOptions { Margin = 0.001 });
        Assert.Equal(1, tight.ExitCode);
        Assert.All(tight.Cells, c => Assert.Equal(CheckVerdict.Worse, c.Verdict));
        // A per-metric margin overrides the common one: only the auc cells get the wide margin here.
        var mixed = Check(baseline, current, new RegressionCheckOptions { Margin = 0.001, Margins = new Dictionary<string, double> { ["AUC"] = 0.01 } });
        Assert.All(mixed.Cells, c => Assert.Equal(c.Result.Metric == Metric.Auc, c.Passed));
    }

    [Fact]
    public void Logloss_is_worse_when_higher_and_auc_when_lower()
    {
        // Current: AUC up (better), logloss up (worse).
        var baseline = Runs("MMoE", 0.80, 0.45, BaseSeeds);
        var current = Runs("MMoE", 0.85, 0.45, NewSeeds).Select(r => r with
        {
            Test = r.Test! with { Overall = r.Test.Overall with { LogLoss = r.Test.Overall.LogLoss + 0.05 },
                Scenarios = [.. r.Test.Scenarios.Select(s => s with { LogLoss = s.LogLoss + 0.05 })] },
        }).ToList();
        var result = Check(baseline, current);
        Assert.Equal(1, result.ExitCode);
        Assert.All(result.Cells, c => Assert.Equal(c.Result.Metric == Metric.Auc, c.Passed));
        Assert.All(result.Cells.Where(c => !c.Passed), c => Assert.Equal(CheckVerdict.Worse, c.Verdict));
    }

    [Fact]
    public void Noisy_seeds_that_cannot_confirm_the_margin_are_unproven()
    {
        double[] spread = [0.03, -0.03, 0.02, -0.02, 0.0];
        List<RunRecord> Noisy(long[] seeds) => [.. seeds.Select((s, i) => SyntheticRecords.Completed("synthetic", "MMoE", s, 0.8 + spread[i], 0.45 - spread[i]))];
        var result = Check(Noisy(BaseSeeds), Noisy(NewSeeds), new RegressionCheckOptions { Margin = 0.001 });
        Assert.Equal(1, result.ExitCode);
        Assert.All(result.Cells, c => Assert.Equal(CheckVerdict.Unproven, c.Verdict));
        Assert.Contains("FAIL: unproven", RegressionCheck.Render(result));
    }

    [Fact]
    public void Fewer_than_three_seeds_per_side_is_unusable_input()
    {
        var result = Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), Runs("MMoE", 0.8, 0.45, [11, 12]));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Problems, p => p.Contains("too few seeds for MMoE on synthetic, overall auc") && p.Contains("current 2 (seeds 11, 12)"));
    }

    [Fact]
    public void A_configuration_that_differs_is_named_with_the_differing_field()
    {
        var dropout = new Dictionary<string, string> { ["dropout"] = "0.9" };
        var result = Check(Runs("BaseDNN", 0.8, 0.45, BaseSeeds), Runs("BaseDNN", 0.6, 0.65, NewSeeds, dropout));
        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Cells);
        Assert.Contains(result.Problems, p => p.Contains("BaseDNN on synthetic (seeds 1, 2, 3, 4, 5) is in the baseline only")
                                              && p.Contains("model_options.dropout: baseline (absent), current 0.9"));
        Assert.Contains(result.Problems, p => p.Contains("is in the current only"));
        // Told to ignore the field, the check compares them (and finds the loss).
        var ignoring = Check(Runs("BaseDNN", 0.8, 0.45, BaseSeeds), Runs("BaseDNN", 0.6, 0.65, NewSeeds, dropout),
            new RegressionCheckOptions { Margin = 0.01, Ignore = ["model_options.dropout"] });
        Assert.Equal(1, ignoring.ExitCode);
    }

    [Fact]
    public void A_model_missing_from_the_current_results_is_unusable_input()
    {
        var baseline = Runs("MMoE", 0.8, 0.45, BaseSeeds).Concat(Runs("STAR", 0.8, 0.45, BaseSeeds)).ToList();
        var result = Check(baseline, Runs("MMoE", 0.8, 0.45, NewSeeds));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Problems, p => p.StartsWith("STAR on synthetic (seeds 1, 2, 3, 4, 5) is in the baseline only") && p.Contains("model: baseline STAR, current MMoE"));
    }

    [Fact]
    public void Run_ids_environment_and_timing_are_not_part_of_the_configuration()
    {
        var current = Runs("MMoE", 0.8, 0.45, NewSeeds).Select(r => r with
        {
            RunId = "other-id-" + r.Config.Seed,
            Environment = r.Environment with { Machine = "ci-runner", Threads = 2 },
            Efficiency = r.Efficiency! with { TotalSeconds = 99 },
            StartedUtc = DateTimeOffset.UtcNow,
        }).ToList();
        Assert.Equal(0, Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), current).ExitCode);
        var fields = RegressionCheck.ConfigurationFields(current[0]);
        Assert.DoesNotContain(fields, f => f.Key == "seed");
        Assert.Contains(fields, f => f.Key == "trainer.epochs");
        Assert.Contains(fields, f => f.Key == "model" && f.Value == "MMoE");
    }

    [Fact]
    public void Failed_runs_are_unusable_input_unless_allowed()
    {
        var current = Runs("MMoE", 0.8, 0.45, NewSeeds);
        current.Add(SyntheticRecords.Failed("synthetic", "MMoE", 16));
        var result = Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), current);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Problems, p => p.Contains("1 failed run(s)") && p.Contains("--allow-failed"));
        Assert.Contains("- current: MMoE on synthetic, seed 16", RegressionCheck.Render(result));
        var allowed = Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), current, new RegressionCheckOptions { Margin = 0.01, AllowFailed = true });
        Assert.Equal(0, allowed.ExitCode);
        Assert.Single(allowed.Failed);
    }

    [Fact]
    public void Empty_sides_and_duplicate_seeds_are_unusable_input()
    {
        Assert.Contains("the current results hold no run records", Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), []).Problems);
        var doubled = Runs("MMoE", 0.8, 0.45, NewSeeds);
        doubled.Add(doubled[0] with { RunId = "copy" });
        var result = Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), doubled);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Problems, p => p.StartsWith("current: Runs") && p.Contains("seed 11"));
    }

    [Fact]
    public void Mann_Whitney_with_three_seeds_a_side_can_never_pass_and_says_so()
    {
        var result = Check(Runs("MMoE", 0.8, 0.45, [1, 2, 3]), Runs("MMoE", 0.9, 0.35, [11, 12, 13]),
            new RegressionCheckOptions { Test = NonInferiorityTest.MannWhitney });
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.Problems, p => p.Contains("Mann-Whitney with 3 baseline and 3 current seeds") && p.Contains("0.05"));
        var four = Check(Runs("MMoE", 0.8, 0.45, [1, 2, 3, 4]), Runs("MMoE", 0.9, 0.35, [11, 12, 13, 14]),
            new RegressionCheckOptions { Test = NonInferiorityTest.MannWhitney });
        Assert.Equal(0, four.ExitCode);
    }

    [Fact]
    public void Scenarios_and_metrics_can_be_restricted()
    {
        var result = Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), Runs("MMoE", 0.8, 0.45, NewSeeds),
            new RegressionCheckOptions { Margin = 0.01, Scenarios = ["overall"], Metrics = ["logloss"] });
        var cell = Assert.Single(result.Cells);
        Assert.Equal(("overall", "logloss"), (cell.Scenario, cell.Result.Metric.Name));
        var unknown = Check(Runs("MMoE", 0.8, 0.45, BaseSeeds), Runs("MMoE", 0.8, 0.45, NewSeeds),
            new RegressionCheckOptions { Scenarios = ["nowhere"] });
        Assert.Contains(unknown.Problems, p => p.Contains("scenario 'nowhere' is in no record; scenarios: overall, s0, s1"));
    }

    [Theory]
    [InlineData(0.0, 0.001, "Alpha")]
    [InlineData(0.05, -0.001, "Margins")]
    public void Bad_options_are_errors(double alpha, double margin, string param) =>
        Assert.Equal(param, Assert.Throws<ArgumentException>(() => new RegressionCheckOptions { Alpha = alpha, Margin = margin }.Validate()).ParamName);

    [Fact]
    public void Metrics_the_records_do_not_hold_are_errors() =>
        Assert.Throws<ArgumentException>(() => new RegressionCheckOptions { Metrics = ["gauc"] }.Validate());
}
