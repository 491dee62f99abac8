using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

public sealed class ModelSnapshotTests
{
    static Dictionary<string, float[]> State(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).data<float>().ToArray());

    [Theory]
    [InlineData("SharedBottom")]
    [InlineData("MMoE")]
    [InlineData("STAR")]
    public void Restores_parameters_and_batchnorm_running_statistics(string name)
    {
        var schema = TestData.Shaped([20, 10], 2, 3);
        using var data = TestData.Random(schema, 300, seed: 2);
        manual_seed(4);
        using var model = ModelRegistry.Create(name, new ModelContext(schema), new Settings());
        var before = State(model);
        Assert.Contains(before.Keys, k => k.EndsWith("running_mean"));
        Assert.Contains(before.Keys, k => k.EndsWith("running_var"));

        using var snapshot = ModelSnapshot.Capture(model);

        // Train a little: parameters move and BatchNorm running statistics update.
        using (var split = DatasetSplit.Random(data.Count, 1))
            Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 1, BatchSize: 64, LearningRate: 0.01), 1);
        var trained = State(model);
        Assert.Contains(trained.Keys, k => k.EndsWith("running_mean") && !trained[k].SequenceEqual(before[k]));
        Assert.Contains(trained.Keys, k => k.EndsWith("running_var") && !trained[k].SequenceEqual(before[k]));
        Assert.Contains(trained.Keys, k => k.EndsWith("weight") && !trained[k].SequenceEqual(before[k]));

        snapshot.Restore(model);
        var restored = State(model);
        Assert.Equal(before.Keys.Order(), restored.Keys.Order());
        foreach (var key in before.Keys) Assert.True(before[key].SequenceEqual(restored[key]), $"{key} not restored");
    }

    [Fact]
    public void Snapshot_is_a_copy_not_a_reference()
    {
        var schema = TestData.Shaped([5], 1, 2);
        manual_seed(1);
        using var model = ModelRegistry.Create("SharedBottom", new ModelContext(schema), new Settings());
        using var snapshot = ModelSnapshot.Capture(model);
        var before = State(model);
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(1.0);
        foreach (var (_, buffer) in model.named_buffers()) if (buffer.is_floating_point()) buffer.add_(1.0);
        snapshot.Restore(model);
        var restored = State(model);
        foreach (var key in before.Keys) Assert.True(before[key].SequenceEqual(restored[key]), $"{key} not restored");
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch_weights()
    {
        using var data = TestData.Synthetic(1500);
        using var split = DatasetSplit.Random(data.Count, 9);
        manual_seed(9);
        using var model = ModelRegistry.Create("SharedBottom", new ModelContext(data.Schema), new Settings());
        // A huge learning rate makes validation AUC wander, so patience 1 fires within the budget.
        var history = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 12, BatchSize: 256, LearningRate: 0.05, Patience: 1), 9);
        Assert.Equal(StopReason.EarlyStopping, history.Stop);
        Assert.True(history.RestoredBest);
        var best = history.Epochs.Single(e => e.Epoch == history.BestEpoch);
        Assert.Equal(history.Epochs.Max(e => e.ValidationAuc), best.ValidationAuc);
        Assert.Equal(history.BestEpoch + 1, history.Epochs.Count);
        // The restored model reproduces the best epoch's validation AUC.
        var validation = Trainer.Evaluate(model, data, split.Validation, 256);
        Assert.Equal(best.ValidationAuc!.Value, validation.Overall.Auc!.Value, 12);
    }
}
