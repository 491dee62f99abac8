using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

/// <summary>The documented protocol switches of <see cref="TrainerOptions"/> (spec §2).</summary>
public sealed class TrainerProtocolTests
{
    static ScenarioModel Build(DatasetSchema schema, long seed)
    {
        manual_seed(seed);
        return ModelRegistry.Create("SharedBottom", new ModelContext(schema), new Settings([new("bottom_dims", "[16]"), new("tower_dims", "[4]")]));
    }

    /// <summary>A small SharedBottom trained on 300 random rows (seed 1) under <paramref name="options"/>.</summary>
    static TrainingHistory FitSmall(TrainerOptions options, Action<EpochProgress>? progress = null, CancellationToken cancel = default)
    {
        var schema = TestData.Shaped([10, 10], 1, 2);
        using var data = TestData.Random(schema, 300);
        using var split = DatasetSplit.Random(data.Count, 1);
        using var model = Build(schema, 1);
        return Trainer.Fit(model, data, split, options, 1, progress, cancel);
    }

    [Fact]
    public void StepLr_decays_the_learning_rate_every_step_size_epochs()
    {
        var history = FitSmall(
            new TrainerOptions(Epochs: 5, BatchSize: 64, LearningRate: 0.01, Patience: 100, UseStepLr: true, StepLrStepSize: 2, StepLrGamma: 0.5));
        double[] expected = [0.01, 0.01, 0.005, 0.005, 0.0025];
        var actual = history.Epochs.Select(e => e.LearningRate).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void Without_StepLr_the_learning_rate_stays_constant()
    {
        var history = FitSmall(new TrainerOptions(Epochs: 3, BatchSize: 64, LearningRate: 0.01, Patience: 100));
        Assert.All(history.Epochs, e => Assert.Equal(0.01, e.LearningRate, 15));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Budget_end_keeps_last_weights_unless_asked_to_restore_the_best(bool restoreBestAtEnd)
    {
        // Random labels: validation AUC wanders. Take the first seed whose best epoch is not the last one.
        var schema = TestData.Shaped([10, 10], 1, 2);
        using var data = TestData.Random(schema, 600, seed: 4);
        for (long seed = 1; seed <= 8; seed++)
        {
            using var split = DatasetSplit.Random(data.Count, seed);
            using var model = Build(schema, seed);
            var history = Trainer.Fit(model, data, split,
                new TrainerOptions(Epochs: 4, BatchSize: 64, LearningRate: 0.02, Patience: 100, RestoreBestAtEnd: restoreBestAtEnd), seed);
            Assert.Equal(StopReason.EpochBudget, history.Stop);
            Assert.Equal(4, history.Epochs.Count);
            if (history.BestEpoch == 4) continue;
            Assert.Equal(restoreBestAtEnd, history.RestoredBest);
            var auc = Trainer.Evaluate(model, data, split.Validation, 64).Overall.Auc!.Value;
            var expectedEpoch = restoreBestAtEnd ? history.BestEpoch : 4;
            Assert.Equal(history.Epochs[expectedEpoch - 1].ValidationAuc!.Value, auc, 12);
            Assert.NotEqual(history.Epochs[history.BestEpoch - 1].ValidationAuc!.Value, history.Epochs[3].ValidationAuc!.Value);
            return;
        }
        Assert.Fail("no seed in 1..8 had its best epoch before the last");
    }

    [Fact]
    public void Progress_is_reported_once_per_epoch_with_improvement_flags()
    {
        var seen = new List<EpochProgress>();
        var history = FitSmall(new TrainerOptions(Epochs: 3, BatchSize: 64, Patience: 100), seen.Add);
        Assert.Equal([1, 2, 3], seen.Select(p => p.Epoch));
        Assert.All(seen, p => Assert.Equal(3, p.EpochBudget));
        Assert.True(seen[0].Improved);
        Assert.Equal(history.Epochs, seen.Select(p => p.Record));
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            FitSmall(new TrainerOptions(Epochs: 50, BatchSize: 64), _ => cancel.Cancel(), cancel.Token));
    }
}
