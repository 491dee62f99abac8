using Msr.Core.Data;
using Msr.Core.Metrics;
using Msr.Core.Models;
using Msr.Core.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

public sealed class TrainerTests
{
    static ScenarioModel Build(string name, DatasetSchema schema, long seed)
    {
        manual_seed(seed);
        return ModelRegistry.Create(name, new ModelContext(schema), new Settings());
    }

    static (Evaluation Test, float[][] Parameters, TrainingHistory History) TrainOnce(ScenarioDataset data, long seed, string model = "SharedBottom", int epochs = 2)
    {
        using var split = DatasetSplit.Random(data.Count, seed);
        using var m = Build(model, data.Schema, seed);
        var history = Trainer.Fit(m, data, split, new TrainerOptions(Epochs: epochs, BatchSize: 256, Patience: 5), seed);
        var test = Trainer.Evaluate(m, data, split.Test, 256);
        var parameters = m.parameters().Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();
        return (test, parameters, history);
    }

    [Fact]
    public void Same_seed_gives_bitwise_identical_parameters_and_metrics()
    {
        using var data = TestData.Synthetic(3000);
        var a = TrainOnce(data, 42);
        var b = TrainOnce(data, 42);
        Assert.Equal(a.Test, b.Test, new EvaluationComparer());
        Assert.Equal(a.Parameters.Length, b.Parameters.Length);
        for (int i = 0; i < a.Parameters.Length; i++) Assert.Equal(a.Parameters[i], b.Parameters[i]);
        Assert.Equal(a.History.Epochs.Select(e => e.TrainLoss), b.History.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void Different_seeds_give_different_results()
    {
        using var data = TestData.Synthetic(3000);
        var a = TrainOnce(data, 42);
        var b = TrainOnce(data, 43);
        Assert.NotEqual(a.Test.Overall.Auc, b.Test.Overall.Auc);
        Assert.NotEqual(a.Parameters[^1], b.Parameters[^1]);
    }

    sealed class EvaluationComparer : IEqualityComparer<Evaluation>
    {
        public bool Equals(Evaluation? x, Evaluation? y) =>
            x is not null && y is not null && x.Overall == y.Overall && x.Scenarios.SequenceEqual(y.Scenarios);
        public int GetHashCode(Evaluation obj) => obj.Overall.GetHashCode();
    }

    [Fact]
    public void Eval_metrics_do_not_depend_on_batch_size_for_batchnorm_models_in_eval_mode()
    {
        using var data = TestData.Synthetic(3000);
        using var split = DatasetSplit.Random(data.Count, 3);
        using var model = Build("SharedBottom", data.Schema, 3);
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 1, BatchSize: 256), 3);
        // Eval-mode BatchNorm uses running statistics, so a row's prediction depends on that row only.
        // It is not bit-identical across batch sizes: float32 GEMM kernels accumulate in a different order
        // for 7 rows than for 1000 (differences ~1e-8), which can flip near-ties in the AUC ranking by ~1e-9.
        var p7 = Trainer.Predict(model, data, split.Test, 7);
        var p1000 = Trainer.Predict(model, data, split.Test, 1000);
        var p1 = Trainer.Predict(model, data, split.Test, 1);
        for (int i = 0; i < p7.Length; i++)
        {
            // Absolute tolerances: rounding to n decimals would flip at a rounding boundary.
            Assert.Equal(p1000[i], p7[i], tolerance: 1e-6);
            Assert.Equal(p1000[i], p1[i], tolerance: 1e-6);
        }
        var small = Trainer.Evaluate(model, data, split.Test, 7);
        var large = Trainer.Evaluate(model, data, split.Test, 1000);
        Assert.Equal(large.Overall.Auc!.Value, small.Overall.Auc!.Value, tolerance: 1e-8);
        Assert.Equal(large.Overall.LogLoss!.Value, small.Overall.LogLoss!.Value, tolerance: 1e-8);
        for (int s = 0; s < small.Scenarios.Count; s++)
        {
            Assert.Equal(large.Scenarios[s].Rows, small.Scenarios[s].Rows);
            Assert.Equal(large.Scenarios[s].Auc!.Value, small.Scenarios[s].Auc!.Value, tolerance: 1e-8);
        }
    }

    [Fact]
    public void Star_eval_predictions_depend_on_batch_composition_by_design()
    {
        // Spec §2.7 / §4.4: STAR normalises its input with current-batch statistics even in eval mode.
        using var data = TestData.Synthetic(3000);
        using var split = DatasetSplit.Random(data.Count, 3);
        using var model = Build("STAR", data.Schema, 3);
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 1, BatchSize: 256), 3);
        var p7 = Trainer.Predict(model, data, split.Test, 7);
        var p1000 = Trainer.Predict(model, data, split.Test, 1000);
        // Rows whose scenario logit is cut to 0 by the final ReLU keep sigmoid(aux) and do not move; the others do.
        var diffs = p7.Zip(p1000).Select(t => Math.Abs(t.First - t.Second)).ToArray();
        int differing = diffs.Count(d => d > 1e-4);
        Assert.True(differing >= 20, $"only {differing} of {p7.Length} predictions changed with the batch size");
        Assert.True(diffs.Max() > 1e-2, $"largest change {diffs.Max()}");
    }

    [Fact]
    public void Predict_returns_rows_in_the_given_order()
    {
        using var data = TestData.Synthetic(1000);
        using var model = Build("SharedBottom", data.Schema, 1);
        using var scope = NewDisposeScope();
        var rows = tensor(new long[] { 5, 900, 17, 3 });
        var together = Trainer.Predict(model, data, rows, 100);
        var reversed = Trainer.Predict(model, data, rows.flip(0), 100);
        Assert.Equal(together.Reverse(), reversed);
    }

    [Theory]
    [InlineData("SharedBottom")]
    [InlineData("MMoE")]
    [InlineData("STAR")]
    public void Live_tensor_count_stays_flat_across_epochs(string name)
    {
        using var data = TestData.Synthetic(1500);
        using var split = DatasetSplit.Random(data.Count, 5);
        using var model = Build(name, data.Schema, 5);
        GC.Collect();
        GC.WaitForPendingFinalizers();   // earlier tests' garbage must not be finalised (and counted down) mid-run
        var counts = new List<long>();
        // Patience large enough that training never stops early; improving epochs replace the snapshot.
        // No GC.Collect: every tensor a step creates must be disposed deterministically, not left to finalizers.
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 5, BatchSize: 200, Patience: 10), 5,
            progress: _ => counts.Add(Tensor.TotalCount));
        Assert.Equal(5, counts.Count);
        Assert.True(counts[1] == counts[4] && counts[2] == counts[4], $"{name}: live tensors after each epoch {string.Join(", ", counts)}");
    }

    [Fact]
    public void Huge_dense_values_raise_TrainingDivergedException()
    {
        // Finite but enormous inputs overflow float32 inside the network and give NaN probabilities.
        var schema = TestData.Shaped([10, 10], 2, 2);
        using var data = TestData.Random(schema, 400, seed: 3, denseValue: i => i % 2 == 0 ? 3e38f : -3e38f);
        using var split = DatasetSplit.Random(data.Count, 1);
        using var model = Build("SharedBottom", schema, 1);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 2, BatchSize: 64), 1));
        Assert.Equal(1, e.Epoch);
        Assert.Contains("diverged", e.Message);
    }

    [Fact]
    public void Huge_learning_rate_raises_TrainingDivergedException()
    {
        using var data = TestData.Synthetic(1000);
        using var split = DatasetSplit.Random(data.Count, 1);
        using var model = Build("MMoE", data.Schema, 1);
        Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 3, BatchSize: 64, LearningRate: 1e12), 1));
    }

    [Theory]
    [InlineData("BaseDNN")]
    [InlineData("MMoE")]
    [InlineData("STAR")]
    public void Every_model_trains_reproducibly_per_seed(string name)
    {
        using var data = TestData.Synthetic(1200);
        var a = TrainOnce(data, 8, name, epochs: 1);
        var b = TrainOnce(data, 8, name, epochs: 1);
        Assert.Equal(a.Test, b.Test, new EvaluationComparer());
        for (int i = 0; i < a.Parameters.Length; i++) Assert.Equal(a.Parameters[i], b.Parameters[i]);
    }
}
