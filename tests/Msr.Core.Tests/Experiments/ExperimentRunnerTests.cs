using System.Text;
using Msr.Core.Experiments;
using Msr.Core.Results;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Experiments;

public sealed class ExperimentRunnerTests
{
    static RunSpec Spec(string model, Dictionary<string, string> trainer, Dictionary<string, string>? modelOptions = null, long seed = 1) =>
        new("synthetic", null, new Dictionary<string, string> { ["rows"] = "1500" }, model, modelOptions ?? [], trainer, seed);

    [Theory]
    [InlineData("SharedBottom")]
    [InlineData("BaseDNN")]
    public void Divergence_ends_as_a_failed_record_not_an_exception(string model)
    {
        using var data = TestData.LoadSynthetic(("rows", "1500"));
        var record = ExperimentRunner.Run(Spec(model, new() { ["lr"] = "1e12", ["epochs"] = "3", ["batch_size"] = "64" }), data);
        Assert.Equal(RunRecord.Failed, record.Status);
        Assert.False(record.IsCompleted);
        Assert.NotNull(record.Error);
        Assert.Null(record.Test);
    }

    [Fact]
    public void Completed_run_records_config_metrics_and_parameters()
    {
        using var data = TestData.LoadSynthetic(("rows", "1500"));
        var spec = Spec("sharedbottom", new() { ["epochs"] = "2", ["batch_size"] = "256" }, new() { ["tower_dims"] = "[4]" }, seed: 7);
        var record = ExperimentRunner.Run(spec, data);
        Assert.Equal(RunRecord.Completed, record.Status);
        Assert.Equal(spec.RunId, record.RunId);
        Assert.Equal("SharedBottom", record.Config.Model);
        Assert.Equal("[4]", record.Config.ModelOptions["tower_dims"]);
        Assert.Equal("[128]", record.Config.ModelOptions["bottom_dims"]);
        Assert.Equal("1500", record.Config.DatasetOptions["rows"]);
        Assert.Equal(7, record.Config.Seed);
        Assert.Equal(2, record.Training!.EpochsRun);
        Assert.Equal(150, record.Test!.Overall.Rows);
        Assert.Equal(150, record.Validation!.Overall.Rows);
        Assert.Equal(3, record.Test.Scenarios.Count);
        Assert.True(record.Parameters > 0);
        Assert.Null(record.Error);

        // Same spec again: identical numbers.
        var again = ExperimentRunner.Run(spec, data);
        Assert.Equal(record.Test.Overall, again.Test!.Overall);
    }

    [Fact]
    public void Misspelt_options_are_reported_before_training()
    {
        using var data = TestData.LoadSynthetic(("rows", "200"));
        var e = Assert.Throws<ArgumentException>(() => ExperimentRunner.Prepare(Spec("MMoE", new() { ["epoch"] = "2" }), data));
        Assert.Contains("epoch", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => ExperimentRunner.Prepare(Spec("MMoE", [], new() { ["expert_dimz"] = "[4]" }), data));
        Assert.Contains("expert_dimz", e2.Message);
    }

    [Fact]
    public void A_real_record_round_trips_through_the_store()
    {
        using var data = TestData.LoadSynthetic(("rows", "600"));
        var record = ExperimentRunner.Run(Spec("MMoE", new() { ["epochs"] = "1", ["batch_size"] = "128" }), data);
        var dir = Directory.CreateTempSubdirectory("msr-runner-").FullName;
        try
        {
            var store = new ResultStore(dir);
            store.Write(record);
            var back = store.TryRead(record.RunId)!;
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(record, ResultStore.Json), System.Text.Json.JsonSerializer.Serialize(back, ResultStore.Json));
            Assert.Equal(record.Test!.Overall, back.Test!.Overall);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_model_that_cannot_be_built_is_a_failed_record_with_a_reason_and_no_stack_trace()
    {
        using var data = TestData.LoadSynthetic(("rows", "300"));
        // Valid widths, but the second layer would need 2^49 bytes: only building the model can tell.
        var spec = Spec("SharedBottom", new() { ["epochs"] = "1" }, new() { ["bottom_dims"] = "[65536,2147483647]" });
        var record = ExperimentRunner.Run(new PreparedRun(spec, new Msr.Core.Training.TrainerOptions(Epochs: 1), "movielens"), data);
        Assert.Equal(RunRecord.Failed, record.Status);
        Assert.StartsWith("ExternalException: ", record.Error);
        Assert.Contains("allocate", record.Error);
        Assert.DoesNotContain("frame #", record.Error);
        Assert.DoesNotContain("\n", record.Error);
        var prepared = Assert.ThrowsAny<Exception>(() => ExperimentRunner.Prepare(spec, data));
        var failed = ExperimentRunner.FailedPreparation(spec, data, prepared);
        Assert.Equal(spec.RunId, failed.RunId);
        Assert.Equal("SharedBottom", failed.Config.Model);
        Assert.StartsWith("ExternalException: ", failed.Error);
    }

    [Fact]
    public void Failure_reasons_drop_native_and_managed_stack_frames()
    {
        var native = new InvalidOperationException("bad shape [3, 4]\nException raised from foo at bar.cpp:12\nframe #0: x\nframe #1: y");
        Assert.Equal("InvalidOperationException: bad shape [3, 4]", ExperimentRunner.Reason(native));
        var wrapped = new System.Reflection.TargetInvocationException(new ArgumentException("width 0"));
        Assert.Equal("ArgumentException: width 0", ExperimentRunner.Reason(wrapped));
    }

    [Fact]
    public void Validation_auc_of_exactly_one_half_in_every_epoch_is_constant_predictions()
    {
        static Msr.Core.Training.EpochRecord Epoch(int i, double? auc) => new(i, 0.69, auc, 0.69, 1, 0.1, 1e-3, 100);
        var constant = new Msr.Core.Training.TrainingHistory([Epoch(1, 0.5), Epoch(2, 0.5)], 1, Msr.Core.Training.StopReason.EpochBudget, false);
        Assert.Contains("constant predictions", ExperimentRunner.ConstantPredictions(constant));
        var learning = constant with { Epochs = [Epoch(1, 0.5), Epoch(2, 0.51)] };
        Assert.Null(ExperimentRunner.ConstantPredictions(learning));
        var undefined = constant with { Epochs = [Epoch(1, null)] };
        Assert.Null(ExperimentRunner.ConstantPredictions(undefined));
        var once = constant with { Epochs = [Epoch(1, 0.5)] };
        Assert.Null(ExperimentRunner.ConstantPredictions(once));
    }

    [Fact]
    public void Saved_weights_reload_into_a_model_that_predicts_the_recorded_test_metrics_exactly()
    {
        var dir = Directory.CreateTempSubdirectory("msr-predict-").FullName;
        try
        {
            using var data = TestData.LoadSynthetic(("rows", "800"));
            var spec = Spec("MMoE", new() { ["epochs"] = "2", ["batch_size"] = "128" });
            var store = new ResultStore(dir);
            var record = ExperimentRunner.Run(ExperimentRunner.Prepare(spec, data), data, weightsPath: store.WeightsPathOf(spec.RunId));
            store.Write(record);
            Assert.Equal(spec.RunId + ResultStore.WeightsExtension, record.Weights);
            Assert.Equal(CodeVersion.OfModel("MMoE"), record.CodeVersion);

            var rows = RecordPredictions.Predict(store.PathOf(spec.RunId), SplitPart.Test, cacheDirectory: null);
            Assert.Equal(record.Test!.Overall.Rows, rows.Count);
            var names = data.Data.Schema.ScenarioNames.ToList();
            var again = Msr.Core.Metrics.Evaluation.Compute([.. rows.Select(r => r.Probability)], [.. rows.Select(r => r.Label)],
                [.. rows.Select(r => (long)names.IndexOf(r.Scenario))], names);
            Assert.Equal(record.Test.Overall, again.Overall);
            Assert.Equal(record.Test.Scenarios, again.Scenarios);
            Assert.Equal(record.Validation!.Overall.Rows, RecordPredictions.Predict(store.PathOf(spec.RunId), SplitPart.Validation, null).Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_saved_model_predicts_only_on_the_data_it_trained_on_wherever_that_data_now_lies()
    {
        using var dir = new TempDir();
        string WriteClicks(string name, int flipRow = -1)
        {
            var rng = new Random(3);
            var lines = new StringBuilder("user,item,page,click\n");
            for (int i = 0; i < 600; i++)
            {
                int click = rng.Next(2);
                lines.Append($"u{i % 41},i{i % 17},{(i % 3 == 0 ? "a" : "b")},{(i == flipRow ? 1 - click : click)}\n");
            }
            return dir.Write(name, lines.ToString());
        }
        var options = new Dictionary<string, string> { ["sparse"] = "user,item", ["label"] = "click", ["scenario"] = "page" };
        var clicks = WriteClicks("clicks.csv");
        var store = new ResultStore(Path.Combine(dir.Path, "results"));
        var spec = new RunSpec("csv", clicks, options, "BaseDNN", new Dictionary<string, string>(),
            new Dictionary<string, string> { ["epochs"] = "1", ["batch_size"] = "128" }, 1);
        using (var data = LoadedDataset.Load("csv", clicks, options))
        {
            var record = ExperimentRunner.Run(ExperimentRunner.Prepare(spec, data), data, weightsPath: store.WeightsPathOf(spec.RunId));
            store.Write(record);
            Assert.Equal(DataFingerprint.Content(clicks), record.DataFingerprint);
        }
        var recordPath = store.PathOf(spec.RunId);
        int rows = RecordPredictions.Predict(recordPath, SplitPart.Test, cacheDirectory: null).Count;
        // The same bytes elsewhere are the run's data.
        var moved = dir.Write(Path.Combine("moved", "clicks.csv"), File.ReadAllText(clicks));
        Assert.Equal(rows, RecordPredictions.Predict(recordPath, SplitPart.Test, null, datasetPath: moved).Count);
        // One label changed in place (same size): another dataset, refused with the reason.
        var time = File.GetLastWriteTimeUtc(clicks);
        WriteClicks("clicks.csv", flipRow: 5);
        File.SetLastWriteTimeUtc(clicks, time.AddSeconds(1));
        var e = Assert.Throws<InvalidDataException>(() => RecordPredictions.Predict(recordPath, SplitPart.Test, null));
        Assert.Contains("are not the data the run trained on", e.Message);
        Assert.Contains("--path", e.Message);
    }

    [Fact]
    public void An_interrupted_run_resumes_from_its_checkpoint_and_storing_the_record_removes_it()
    {
        var dir = Directory.CreateTempSubdirectory("msr-resume-").FullName;
        try
        {
            using var data = TestData.LoadSynthetic(("rows", "800"));
            var spec = Spec("MMoE", new() { ["epochs"] = "3", ["batch_size"] = "128" });
            var whole = ExperimentRunner.Run(spec, data);

            var store = new ResultStore(dir);
            var checkpoint = store.CheckpointPathOf(spec.RunId);
            // Killed after its first epoch: cancellation propagates, the checkpoint stays.
            Assert.Throws<OperationCanceledException>(() => ExperimentRunner.Run(ExperimentRunner.Prepare(spec, data), data,
                progress: e => throw new OperationCanceledException(), checkpointPath: checkpoint));
            Assert.True(File.Exists(checkpoint));

            var resumed = ExperimentRunner.Run(ExperimentRunner.Prepare(spec, data), data, checkpointPath: checkpoint);
            Assert.Equal(RunRecord.Completed, resumed.Status);
            Assert.Equal(1, resumed.Training!.ResumedAfterEpoch);
            Assert.Null(whole.Training!.ResumedAfterEpoch);
            Assert.Equal(whole.Test!.Overall, resumed.Test!.Overall);
            Assert.Equal(whole.Training.History.Select(e => e.TrainLoss), resumed.Training.History.Select(e => e.TrainLoss));

            store.Write(resumed);
            Assert.False(File.Exists(checkpoint));
            Assert.Equal(1, ResultStore.Read(store.PathOf(spec.RunId)).Training!.ResumedAfterEpoch);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
