using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

/// <summary>What every registered model must do, whatever its architecture.</summary>
public sealed class EveryModelContractTests
{
    public static TheoryData<string> AllModels => [.. ModelRegistry.All.Select(e => e.Name)];

    static ScenarioModel Build(string name, DatasetSchema schema, long seed) => ModelTestKit.Build(name, schema, seed: seed);

    static double[] Predict(ScenarioModel model, ScenarioDataset data) => Trainer.Predict(model, data, arange(data.Count, dtype: ScalarType.Int64), 32);

    /// <summary>
    /// A tensor left behind by <c>model.to(device)</c> fails the first CUDA step. TorchSharp 0.107's <c>Module.to</c>
    /// skips non-persistent buffers, and every model failed on a lent H200 for it (FeatureEmbedding's index vectors).
    /// The meta device stands in for a GPU: moving there copies no data, and a tensor's device says where it went.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllModels))]
    public void Moving_a_model_to_a_device_moves_every_tensor_it_holds(string name)
    {
        var schema = TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);
        using var model = Build(name, schema, seed: 1);
        model.to(META);
        var heldTensors = HeldTensors(model).ToList();
        if (model.modules().OfType<Msr.Core.Models.Layers.FeatureEmbedding>().Any())   // SACN embeds only through its history tables
            Assert.Contains(heldTensors, t => t.Name.EndsWith("offsets0"));           // non-persistent buffers are seen too
        Assert.Empty(heldTensors.Where(t => t.Tensor.device_type != DeviceType.META).Select(t => t.Name));
    }

    /// <summary>Every parameter and every registered buffer, persistent or not, of the module and its submodules
    /// (<c>named_buffers</c> leaves out the non-persistent ones, so they are read from the registry itself).</summary>
    static IEnumerable<(string Name, Tensor Tensor)> HeldTensors(nn.Module model)
    {
        var registry = typeof(nn.Module).GetField("_internal_buffers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        foreach (var (prefix, module) in model.named_modules().Prepend(("", model)))
        {
            var buffers = (TorchSharp.Utils.OrderedDict<string, (Tensor Buffer, bool Persistent)>)registry.GetValue(module)!;
            foreach (var bufferName in buffers.Keys) yield return ($"{prefix}.{bufferName}", buffers[bufferName].Buffer);
        }
        foreach (var (parameterName, parameter) in model.named_parameters()) yield return (parameterName, parameter);
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Saved_weights_reload_into_a_differently_seeded_model_and_predict_identically(string name)
    {
        var schema = TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);
        using var data = TestData.Random(schema, 96);
        var dir = Directory.CreateTempSubdirectory("msr-weights-");
        try
        {
            using var trained = Build(name, schema, seed: 1);
            // A few steps move BatchNorm statistics and any model state away from their initial values.
            var options = new TrainerOptions(Epochs: 2, BatchSize: 32, Patience: 5);
            using (var split = DatasetSplit.Random(data.Count, 1))
                Trainer.Fit(trained, data, split, options, seed: 1);
            var path = Path.Combine(dir.FullName, "w.bin");
            ModelWeights.Save(trained, path);
            using var reloaded = Build(name, schema, seed: 99);
            ModelWeights.Load(reloaded, path);
            // Both models start predicting from the same saved state (models whose state moves at every forward,
            // such as AdaSparse's annealing scalar, must save it).
            Assert.Equal(Predict(trained, data), Predict(reloaded, data));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Evaluation_on_each_scenarios_own_rows_predicts_what_every_branch_on_every_row_predicts(string name)
    {
        // Scenario ids in no order, batches of 40 (the last one short), and a batch without scenario 2's rows.
        var schema = TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);
        using var data = TestData.Random(schema, 200);
        using var model = Build(name, schema, seed: 3);
        using (var split = DatasetSplit.Random(data.Count, 3))
            Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 2, BatchSize: 32, Patience: 5), seed: 3);
        using var rows = cat([arange(200, dtype: ScalarType.Int64), nonzero(data.Scenario.ne(2)).squeeze(1)]);
        // Some models move state at every forward (AdaSparse's annealing): both passes start from the same state.
        using var state = ModelSnapshot.Capture(model);
        var routed = Trainer.Predict(model, data, rows, 40);
        state.Restore(model);
        model.EveryBranchOnEveryRow = true;
        var everyBranch = Trainer.Predict(model, data, rows, 40);
        // Equal up to float rounding: libtorch's product kernels may round a row differently at another row count
        // (seen: up to 2e-7 here, none at 4,096-row batches on MovieLens widths).
        Assert.Equal(everyBranch.Length, routed.Length);
        Assert.All(everyBranch.Zip(routed), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-6, $"{p.First} against {p.Second}"));
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void A_training_step_on_routed_branches_equals_every_branch_on_every_row(string name)
    {
        // Models route row-wise branches (no batch statistics) in training too; branches with BatchNorm stay compute-all.
        // Either way a training forward must give the reference's compute-all predictions, gradients and running
        // statistics. Scenario ids in no order; one batch without scenario 2's rows.
        var schema = TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);
        using var data = TestData.Random(schema, 200);
        using var model = Build(name, schema, seed: 5);
        using var state = ModelSnapshot.Capture(model);
        foreach (var rows in new[] { arange(48, dtype: ScalarType.Int64), nonzero(data.Scenario.ne(2)).squeeze(1)[..40] })
        {
            var routed = TrainingStep(model, data.Gather(rows), everyRow: false);
            state.Restore(model);
            var everyRow = TrainingStep(model, data.Gather(rows), everyRow: true);
            state.Restore(model);
            foreach (var (key, expected) in everyRow)
            {
                var actual = routed[key];
                Assert.True(expected.shape.SequenceEqual(actual.shape), $"{key}: shape");
                if (expected.numel() == 0) continue;
                double scale = Math.Max(1e-3, expected.abs().max().to_type(ScalarType.Float64).item<double>());
                double gap = (expected - actual).abs().max().to_type(ScalarType.Float64).item<double>();
                Assert.True(gap <= 1e-5 * scale, $"{name} {key}: differs by {gap} (scale {scale})");
            }
        }
    }

    /// <summary>One training forward and backward (BCE plus the model's loss terms) from a fixed global seed, so that
    /// dropout draws alike on both sides; returns the predictions, every gradient and every buffer after it.</summary>
    static Dictionary<string, Tensor> TrainingStep(ScenarioModel model, ScenarioBatch batch, bool everyRow)
    {
        model.EveryBranchOnEveryRow = everyRow;
        model.train();
        model.zero_grad();
        manual_seed(17);
        var prediction = model.forward(batch);
        var loss = nn.functional.binary_cross_entropy(prediction, batch.Label);
        foreach (var term in model.TakeLossTerms()) loss = loss + term.Value;
        loss.backward();
        var result = new Dictionary<string, Tensor> { ["prediction"] = prediction.detach().clone() };
        foreach (var (key, p) in model.named_parameters())
            if (p.grad is { } g) result["grad " + key] = g.clone();
        foreach (var (key, b) in model.named_buffers())
            if (b.is_floating_point()) result["buffer " + key] = b.clone();
        model.EveryBranchOnEveryRow = false;
        return result;
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Same_seed_gives_the_same_training_numbers(string name)
    {
        var schema = TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);
        using var data = TestData.Random(schema, 128);
        double[] Run()
        {
            using var model = Build(name, schema, seed: 7);
            using var split = DatasetSplit.Random(data.Count, 7);
            var history = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 2, BatchSize: 32, Patience: 5), seed: 7);
            return [.. history.Epochs.Select(e => e.TrainLoss), .. Predict(model, data)];
        }
        Assert.Equal(Run(), Run());
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Every_model_is_described_with_a_paper_and_documented_options(string name)
    {
        var entry = ModelRegistry.Get(name);
        Assert.False(string.IsNullOrWhiteSpace(entry.Description));
        Assert.False(string.IsNullOrWhiteSpace(entry.Paper));
        Assert.All(entry.Options, o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.Description), o.Name);
            foreach (var preset in Presets.All) Assert.False(string.IsNullOrWhiteSpace(o.DefaultText(preset)), $"{o.Name} @ {preset}");
        });
        Assert.Equal(entry.Options.Count, entry.Options.Select(o => o.Name).Distinct().Count());
    }
}

public sealed class ModelOptionTests
{
    [Theory]
    [InlineData("Ali-CCP", "aliccp")]
    [InlineData("AliCCP", "aliccp")]
    [InlineData("MovieLens", "movielens")]
    public void Presets_are_read_in_any_case_and_spelling(string given, string canonical) => Assert.Equal(canonical, Presets.Normalize(given));

    [Fact]
    public void An_unknown_preset_is_an_error_listing_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelContext(TestData.MovieLens(), "nonsense"));
        Assert.Equal("unknown preset 'nonsense'; valid presets: movielens, kuairand, aliccp, amazon, douban, mind", e.Message);
        var problems = ModelRegistry.Get("SharedBottom").Problems([KeyValuePair.Create("preset", "nonsense")]);
        Assert.Equal(["option 'preset': unknown preset 'nonsense'; valid presets: movielens, kuairand, aliccp, amazon, douban, mind"], problems);
    }

    [Fact]
    public void The_aliccp_preset_gives_the_aliccp_widths()
    {
        var schema = TestData.Shaped([5, 5], 0, 3);
        using var ml = ModelRegistry.Create("SharedBottom", new ModelContext(schema, "movielens"), new Settings());
        using var ali = ModelRegistry.Create("SharedBottom", new ModelContext(schema, "Ali-CCP"), new Settings());
        Assert.True(ali.ParameterCount > 20 * ml.ParameterCount);
    }

    [Fact]
    public void Problems_lists_every_bad_option_without_building_the_model()
    {
        var problems = ModelRegistry.Get("MMoE").Problems([
            KeyValuePair.Create("expert_dimz", "[4]"),
            KeyValuePair.Create("tower_dims", "[4,x]"),
            KeyValuePair.Create("experts", "0"),
            KeyValuePair.Create("gate_batch_norm", "maybe"),
        ]);
        Assert.Equal([
            "unknown option 'expert_dimz' for model 'MMoE'; its options: experts, expert_dims, tower_dims, gate_batch_norm, preset",
            "option 'tower_dims': '[4,x]' is not a list of layer widths like [128,64]",
            "option 'experts': 0 must be between 1 and 2147483647",
            "option 'gate_batch_norm': 'maybe' is not true or false",
        ], problems);
    }

    [Fact]
    public void Every_model_reads_only_the_options_it_declares()
    {
        foreach (var entry in ModelRegistry.All)
        {
            var settings = new Settings();
            using var model = ModelRegistry.Create(entry.Name, new ModelContext(TestData.Shaped([5, 5, 3], 1, 3, userAndItem: true)), settings);
            Assert.Equal(entry.Options.Select(o => o.Name).Order(), settings.Resolved.Keys.Order());
        }
    }
}
