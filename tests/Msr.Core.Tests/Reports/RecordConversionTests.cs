using Msr.Core.Metrics;
using Msr.Core.Reports;
using Msr.Core.Stats;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class RecordConversionTests
{
    [Fact]
    public void Completed_runs_become_tidy_observations_and_failed_runs_are_listed()
    {
        var records = new List<Msr.Core.Results.RunRecord>
        {
            Completed("d", "A", 2022, 0.81, 0.44, [new MetricSet("s0", 10, 0.3, 0.8, 0.45), new MetricSet("s1", 10, 0.0, null, 0.1)]),
            Completed("d", "B", 2022, 0.80, 0.45),
            Failed("d", "B", 2023),
        };
        var data = RecordConversion.ToObservations(records);
        // A: overall + s0 (2 metrics each) + s1 logloss only (AUC undefined); B: 3 scenarios × 2 metrics.
        Assert.Equal(5 + 6, data.Observations.Count);
        Assert.Contains(new ResultObservation("d", "overall", "A", 2022, "auc", 0.81), data.Observations);
        Assert.Contains(new ResultObservation("d", "s0", "A", 2022, "logloss", 0.45), data.Observations);
        Assert.Single(data.Notes, n => n.Contains("s1: auc of A seed 2022 is undefined"));
        Assert.Equal(["overall", "s0", "s1"], data.ScenarioOrder["d"]);
        Assert.Equal(["A", "B"], data.ModelOrder["d"]);
        var failed = Assert.Single(data.Failed);
        Assert.Equal(("d", "B", 2023L, "out of memory"), (failed.Dataset, failed.Model, failed.Seed, failed.Error));
        Assert.Equal(6, Aggregation.Aggregate(data.Observations).Count(r => r.Model == "B" && r.N == 1));
    }

    [Fact]
    public void Options_that_differ_only_between_datasets_do_not_split_a_model()
    {
        var records = new List<Msr.Core.Results.RunRecord>
        {
            Completed("d1", "STAR", 1, 0.8, 0.4, options: new Dictionary<string, string> { ["batch_norm"] = "true" }),
            Completed("d2", "STAR", 1, 0.8, 0.4, options: new Dictionary<string, string> { ["batch_norm"] = "false" }),
        };
        Assert.All(records, r => Assert.Equal("STAR", RecordConversion.ModelLabel(records, r)));
    }

    [Fact]
    public void Runs_trained_with_other_trainer_options_are_separate_models_named_by_the_options_that_differ()
    {
        static Msr.Core.Results.RunRecord Run(string model, long seed, double auc, Msr.Core.Training.TrainerOptions trainer) =>
            Completed("d", model, seed, auc, 0.4) is var r ? r with { RunId = $"{r.RunId}-{trainer.EmbeddingUpdates}-{trainer.LearningRate}", Config = r.Config with { Trainer = trainer } } : r;
        var dense = new Msr.Core.Training.TrainerOptions();
        var lazy = dense with { EmbeddingUpdates = Msr.Core.Training.EmbeddingUpdates.Lazy };
        var records = new List<Msr.Core.Results.RunRecord>
        {
            Run("SharedBottom", 1, 0.80, dense), Run("SharedBottom", 2, 0.81, dense),
            Run("SharedBottom", 1, 0.70, lazy), Run("SharedBottom", 2, 0.71, lazy),
            Run("SharedBottom", 1, 0.60, lazy with { LearningRate = 1e-2 }),
            // Another model with one trainer setting keeps its plain name.
            Run("MMoE", 1, 0.75, lazy),
        };
        var labelOf = RecordConversion.Labeler(records);
        Assert.Equal(
            [
                "SharedBottom (embedding_updates=dense, learning_rate=0.001)", "SharedBottom (embedding_updates=dense, learning_rate=0.001)",
                "SharedBottom (embedding_updates=lazy, learning_rate=0.001)", "SharedBottom (embedding_updates=lazy, learning_rate=0.001)",
                "SharedBottom (embedding_updates=lazy, learning_rate=0.01)", "MMoE",
            ], records.Select(labelOf));
        // Same seed, other trainer options: separate rows, never "two runs of one seed" and never pooled.
        var data = RecordConversion.ToObservations(records);
        Assert.Equal(4, data.ModelOrder["d"].Count);
        Assert.Equal([0.70, 0.71], data.Observations
            .Where(o => o.Model == "SharedBottom (embedding_updates=lazy, learning_rate=0.001)" && o.Scenario == "overall" && o.Metric == "auc")
            .Select(o => o.Value).Order());
    }

    [Fact]
    public void Runs_of_one_dataset_with_other_loader_options_are_separate_datasets()
    {
        Dictionary<string, string> Data(string k) => new() { ["top_k"] = k, ["min_rows"] = "10" };
        var records = new List<Msr.Core.Results.RunRecord>
        {
            // One tower per scenario: the model option follows the loader option and must not split the model.
            Completed("kuairand", "PPNet", 1, 0.80, 0.4, options: new Dictionary<string, string> { ["towers"] = "3" }, datasetOptions: Data("3")),
            Completed("kuairand", "PPNet", 1, 0.82, 0.4, options: new Dictionary<string, string> { ["towers"] = "5" }, datasetOptions: Data("5")),
            Completed("ml-1m", "PPNet", 1, 0.75, 0.4, datasetOptions: Data("5")),
        };
        var datasetOf = RecordConversion.DatasetLabeler(records);
        Assert.Equal(["kuairand (top_k=3)", "kuairand (top_k=5)", "ml-1m"], records.Select(datasetOf));
        Assert.All(records, r => Assert.Equal("PPNet", RecordConversion.ModelLabel(records, r)));
        // Same model and seed, but different data: no "two runs of one seed" error, one table each.
        var data = RecordConversion.ToObservations(records);
        Assert.Equal(["kuairand (top_k=3)", "kuairand (top_k=5)", "ml-1m"], data.ModelOrder.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["kuairand (top_k=3)", "kuairand (top_k=5)", "ml-1m"], EfficiencyTables.Build(records).Select(t => t.Dataset));
    }
}

public class SupersededRecordTests
{
    [Fact]
    public void A_newer_record_of_another_code_version_supersedes_the_old_one_with_a_note()
    {
        var old = Completed("d", "A", 1, 0.70, 0.5) with { CodeVersion = "aaaa", FinishedUtc = DateTimeOffset.UnixEpoch.AddDays(1) };
        var fresh = Completed("d", "A", 1, 0.80, 0.4) with { RunId = "fresh", CodeVersion = "bbbb", FinishedUtc = DateTimeOffset.UnixEpoch.AddDays(2) };
        var data = RecordConversion.ToObservations([fresh, old]);
        Assert.Contains(new ResultObservation("d", "overall", "A", 1, "auc", 0.80), data.Observations);
        Assert.DoesNotContain(data.Observations, o => o.Value == 0.70);
        Assert.Single(data.Notes, n => n.Contains("superseded by 'fresh'"));
    }

    [Fact]
    public void Two_records_of_the_same_code_version_are_still_an_error()
    {
        var a = Completed("d", "A", 1, 0.70, 0.5) with { CodeVersion = "aaaa" };
        var b = Completed("d", "A", 1, 0.80, 0.4) with { RunId = "other", CodeVersion = "aaaa" };
        Assert.Throws<InvalidDataException>(() => RecordConversion.ToObservations([a, b]));
    }
}
