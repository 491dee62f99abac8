using Msr.Core.Experiments;
using Msr.Core.Results;
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
}
