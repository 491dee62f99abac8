using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class SfpNetTests
{
    static ScenarioModel Build(DatasetSchema schema, params (string Key, string Value)[] options) =>
        ModelTestKit.Build("SFPNet", schema, Presets.MovieLens, seed: 5, options);

    /// <summary>user_id (30), item_id (20), f2 (4), two dense, three scenarios; histories hist_item_id and hist_f2 of length 4.</summary>
    static DatasetSchema WithHistories() => TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);

    /// <summary>The same schema without its histories.</summary>
    static DatasetSchema WithoutHistories(DatasetSchema schema) =>
        new([.. schema.Features.Where(f => f.Kind != FeatureKind.Sequence)], schema.ScenarioNames);

    [Fact]
    public void Movielens_parameters_are_two_tailoring_blocks_and_the_gated_dnn()
    {
        const long n = 6, d = 16, flat = n * d;                      // six fields, 16 wide
        long Linear(long input, long output) => input * output + output;
        long Gate(long input, long hidden, long output) => Linear(input, hidden) + 2 * hidden + Linear(hidden, output);  // LayerNorm γ, β
        long block = Gate(flat + d, flat, flat) + Linear(flat, 2 * flat) + Linear(2 * flat, flat) + 2 * n * (d * d + d);
        long dnn = 0, width = flat + 1;                               // the tailored fields, then the dense age
        foreach (long next in new long[] { 256, 128, 64 }) { dnn += Gate(width + d, width, width) + Linear(width, next); width = next; }
        using var model = Build(TestData.MovieLens());
        Assert.False(((SfpNet)model).ReadsHistories);
        Assert.Equal(211_616 + 3 * d + 2 * block + dnn + Linear(64, 1), model.ParameterCount);
    }

    [Fact]
    public void Forward_gives_one_probability_per_row_that_depends_on_the_scenario_and_every_parameter_learns()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 2, 3);
        using var data = TestData.Random(schema, 48);
        using var model = Build(schema);
        model.train();
        var batch = Batch(data, 48);
        var p = model.forward(batch);
        Assert.Equal([48L], p.shape);
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>());
        nn.functional.binary_cross_entropy(p, batch.Label).backward();
        Assert.All(model.named_parameters(), q =>
            Assert.True(q.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{q.name} got no gradient"));
        model.eval();
        var other = batch with { Scenario = (batch.Scenario + 1).remainder(3) };
        Assert.True((model.forward(batch) - model.forward(other)).abs().max().item<float>() > 1e-4);
    }

    [Fact]
    public void Weights_start_xavier_uniform_per_matrix_and_biases_at_zero()
    {
        using var model = Build(TestData.MovieLens(), ("blocks", "1"));
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var perField = parameters["blocks.0.field_weight"];
        Assert.Equal([6L, 16L, 16L], perField.shape);
        double bound = Math.Sqrt(6.0 / (16 + 16));                    // each field's own 16 × 16 matrix
        Assert.True(perField.abs().max().item<float>() <= bound);
        Assert.True(perField.abs().max().item<float>() > 0.8 * bound);
        Assert.Equal(0f, parameters["blocks.0.field_bias"].abs().max().item<float>());
        Assert.Equal(0f, parameters["logit.bias"].abs().max().item<float>());
        Assert.Equal(1f, parameters["blocks.0.adaptive_gate.norm.weight"].min().item<float>());
        var hidden = parameters["blocks.0.adaptive_gate.hidden.weight"];  // (96, 112)
        Assert.True(hidden.abs().max().item<float>() <= Math.Sqrt(6.0 / (96 + 112)));
    }

    // ---- The sequence-free form stays what it was ----

    [Fact]
    public void Without_histories_auto_builds_the_sequence_free_form_with_the_same_names_and_numbers_as_off()
    {
        using var scope = NewDisposeScope();
        var withHistories = WithHistories();
        var plain = WithoutHistories(withHistories);
        using var auto = Build(plain);
        using var off = Build(plain, ("sequences", "off"));
        using var offOnHistories = Build(withHistories, ("sequences", "off"));   // histories present but not read
        Assert.False(((SfpNet)auto).ReadsHistories);
        Assert.False(((SfpNet)offOnHistories).ReadsHistories);
        var expected = auto.state_dict();
        foreach (var other in new[] { off, offOnHistories })
        {
            var state = other.state_dict();
            Assert.Equal(expected.Keys, state.Keys);                   // same names, same order
            Assert.All(expected, e => Assert.True(Identical(e.Value, state[e.Key]), e.Key));
        }
        // The state-dict keys as the sequence-free SFPNet has always saved them (two blocks, three DNN layers).
        string Block(int l) => $"blocks.{l}.field_weight blocks.{l}.field_bias blocks.{l}.field_gate_weight blocks.{l}.field_gate_bias " +
            $"{Gate($"blocks.{l}.adaptive_gate")} blocks.{l}.context_hidden.weight blocks.{l}.context_hidden.bias " +
            $"blocks.{l}.context_output.weight blocks.{l}.context_output.bias";
        static string Gate(string g) => $"{g}.hidden.weight {g}.hidden.bias {g}.norm.weight {g}.norm.bias {g}.output.weight {g}.output.bias";
        var keys = $"embedding.tables.0.weight scenario_table.weight {Block(0)} {Block(1)} {Gate("dnn_gates.0")} {Gate("dnn_gates.1")} " +
            $"{Gate("dnn_gates.2")} dnn_layers.0.weight dnn_layers.0.bias dnn_layers.1.weight dnn_layers.1.bias dnn_layers.2.weight " +
            "dnn_layers.2.bias logit.weight logit.bias";
        Assert.Equal(keys.Split(' '), expected.Keys);
        using var data = TestData.Random(withHistories, 64);
        auto.eval();
        offOnHistories.eval();
        Assert.True(Identical(auto.forward(Batch(data, 64)), offOnHistories.forward(Batch(data, 64))));
    }

    [Fact]
    public void The_sequence_free_initialisation_is_pinned()
    {
        // Values of the model as built before the sequence form existed (seed 5, MovieLens shape): golden runs and
        // parity checks of the sequence-free form depend on the same parameters drawn in the same order.
        using var model = Build(TestData.MovieLens());
        double total = model.parameters().Sum(p => p.abs().to_type(ScalarType.Float64).sum().item<double>());
        double first = model.named_parameters().Single(p => p.name == "blocks.0.field_weight").parameter[0, 0, 0].item<float>();
        Assert.Equal(PinnedTotal, total, 1e-6);
        Assert.Equal(PinnedFirst, first, 1e-7);
    }

    const double PinnedTotal = 29048.855002985118;
    const double PinnedFirst = 0.009648391045629978;

    // ---- The full form with histories ----

    [Fact]
    public void With_histories_the_model_reads_them_and_every_parameter_the_history_tables_included_gets_a_gradient()
    {
        using var scope = NewDisposeScope();
        var schema = WithHistories();
        using var data = TestData.Random(schema, 64);
        using var model = Build(schema);
        Assert.True(((SfpNet)model).ReadsHistories);
        model.train();
        var batch = Batch(data, 64);
        Assert.True(batch.Sequences["hist_item_id"].eq(0).all(1).any().item<bool>(), "the batch should hold an empty history");
        var p = model.forward(batch);
        Assert.Equal([64L], p.shape);
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>());
        nn.functional.binary_cross_entropy(p, batch.Label).backward();
        Assert.All(model.named_parameters(), q =>
            Assert.True(q.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{q.name} got no gradient"));
        var names = model.named_parameters().Select(q => q.name).ToList();
        Assert.Contains("history_embedding.tables.0.weight", names);
        Assert.Contains("history_embedding.tables.1.weight", names);
        Assert.Contains("blocks.1.behaviour_own.weight", names);
        Assert.Contains("target_attention.layers.output.weight", names);
        // The padding rows start at zero and get no gradient.
        foreach (var table in names.Where(n => n.StartsWith("history_embedding.")))
        {
            var weight = model.named_parameters().Single(q => q.name == table).parameter;
            Assert.Equal(0f, weight[0].abs().max().item<float>());
            Assert.Equal(0f, weight.grad![0].abs().max().item<float>());
        }
        // The target's columns come from the history tables: the feature embedding holds user_id alone.
        Assert.Equal([30L, 16L], model.named_parameters().Single(q => q.name.StartsWith("embedding.")).parameter.shape);
    }

    [Fact]
    public void Parameters_of_the_full_form_follow_the_spec_widths()
    {
        // n = 3 fields (user_id from the feature embedding; item_id and f2 from the history tables), d = 16, 2 dense, S = 3.
        const long n = 3, d = 16, dense = 2, scenarios = 3;
        long Linear(long input, long output) => input * output + output;
        long Gate(long input, long hidden, long output) => Linear(input, hidden) + 2 * hidden + Linear(hidden, output);  // LayerNorm γ, β
        long tables = 30 * d + scenarios * d + (20 + 1) * d + (4 + 1) * d;         // user_id; s; item and f2 with padding rows
        // Block: W₀ (X = fields ⊕ B ⊕ s → (n+2)d) and W₁ ((n+2)d → (n+2)d); W₂ ((n+2)d → 2(n+2)d), W₃ (2(n+2)d → (n+1)d);
        // per field W_{i,1}, W_{i,2} (d × d + d each); behaviours W₄, W₅ (d × d + d each).
        long block = Gate((n + 2) * d + d, (n + 2) * d, (n + 2) * d)
            + Linear((n + 2) * d, 2 * (n + 2) * d) + Linear(2 * (n + 2) * d, (n + 1) * d)
            + 2 * n * (d * d + d) + 2 * Linear(d, d);
        long attention = Linear(4 * d, 64) + Linear(64, 32) + Linear(32, 1);        // MLP_att(v ⊕ t ⊕ v−t ⊕ v⊙t)
        long dnn = 0, width = n * d + d + dense;                                    // H⁰ = x₁ ⊕ … ⊕ x_n ⊕ V, then the dense values
        foreach (long next in new long[] { 256, 128, 64 }) { dnn += Gate(width + d, width, width) + Linear(width, next); width = next; }
        using var model = Build(WithHistories());
        Assert.Equal(tables + 2 * block + attention + dnn + Linear(64, 1), model.ParameterCount);
    }

    [Fact]
    public void Distribution_aware_pooling_is_the_mean_and_deviation_over_valid_positions()
    {
        using var scope = NewDisposeScope();
        // Row 0: padding holding (5, 5), then (1, 2) and (3, 6). Row 1: padding only.
        var behaviours = tensor(new float[] { 5, 5, 1, 2, 3, 6, 7, -1, 2, 2, 9, 9 }, [2, 3, 2]);
        var valid = tensor(new float[] { 0, 1, 1, 0, 0, 0 }, [2, 3, 1]);
        var pooled = SfpNet.DistributionAwarePooling(behaviours, valid);
        // μ = (2, 4); mean b² = (5, 20); σ = √(mean b² − μ² + 1e-8) = (√(1 + 1e-8), √(4 + 1e-8)). Empty: μ = 0, σ = √1e-8.
        float[] expected = [2, 4, (float)Math.Sqrt(1 + 1e-8), (float)Math.Sqrt(4 + 1e-8), 0, 0, 1e-4f, 1e-4f];
        var actual = pooled.data<float>().ToArray();
        Assert.Equal(8, actual.Length);
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], actual[i], 1e-6f);
    }

    [Fact]
    public void Padded_positions_change_nothing()
    {
        using var scope = NewDisposeScope();
        var schema = WithHistories();
        using var data = TestData.Random(schema, 64);
        using var model = Build(schema);
        model.eval();
        using var _ = no_grad();
        var batch = Batch(data, 64);
        var before = model.forward(batch).clone();
        // Non-zero padding rows: a padded position's embedding is never read.
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("history_embedding.")) p[0].normal_(0, 1);
        Assert.True(Identical(before, model.forward(batch)));
        // Longer histories, the extra positions padding.
        var longer = batch with
        {
            Sequences = batch.Sequences.ToDictionary(s => s.Key, s => cat([zeros(64, 3, dtype: ScalarType.Int64), s.Value], 1)),
        };
        Assert.True((before - model.forward(longer)).abs().max().item<float>() <= 1e-6);
    }

    [Fact]
    public void An_empty_history_gives_finite_predictions_and_gradients()
    {
        using var scope = NewDisposeScope();
        var schema = WithHistories();
        using var data = TestData.Random(schema, 16);
        using var model = Build(schema);
        model.train();
        var batch = Batch(data, 16);
        var empty = batch with { Sequences = batch.Sequences.ToDictionary(s => s.Key, s => zeros_like(s.Value)) };
        var p = model.forward(empty);
        Assert.True(p.isfinite().all().item<bool>());
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>());
        nn.functional.binary_cross_entropy(p, empty.Label).backward();
        Assert.All(model.parameters(), q => Assert.True(q.grad is null || q.grad.isfinite().all().item<bool>()));
        Assert.True(((SfpNet)model).AttentionWeights(empty).eq(0).all().item<bool>());
    }

    [Fact]
    public void Target_attention_weights_are_zero_at_padding()
    {
        using var scope = NewDisposeScope();
        var schema = WithHistories();
        using var data = TestData.Random(schema, 64);
        using var model = Build(schema);
        model.eval();
        var batch = Batch(data, 64);
        var weights = ((SfpNet)model).AttentionWeights(batch);
        var valid = batch.Sequences["hist_item_id"].ne(0);
        Assert.Equal(valid.shape, weights.shape);
        Assert.True(weights.masked_select(valid.logical_not()).eq(0).all().item<bool>());
        Assert.True(weights.masked_select(valid).ne(0).all().item<bool>());
    }

    [Fact]
    public void Sequences_on_without_histories_is_the_history_layer_error_and_histories_picks_them()
    {
        var plain = WithoutHistories(WithHistories());
        var e = Assert.Throws<ArgumentException>(() => Build(plain, ("sequences", "on")));
        Assert.Contains("history=L", e.Message);
        using var itemOnly = Build(WithHistories(), ("histories", "[hist_item_id]"));
        Assert.True(((SfpNet)itemOnly).ReadsHistories);
        // f2 is then an ordinary field of the feature embedding, item_id alone comes from the history table.
        Assert.Single(itemOnly.named_parameters(), q => q.name.StartsWith("history_embedding."));
        Assert.Equal([34L, 16L], itemOnly.named_parameters().Single(q => q.name.StartsWith("embedding.")).parameter.shape);
        // Every field a target of a history: the feature embedding is left empty.
        using var data = CategoryInHistory(8, seed: 1);
        var targetsOnly = new DatasetSchema([.. data.Schema.Features.Where(f => f.Name != "user_id")], data.Schema.ScenarioNames);
        using var onlyTargets = Build(targetsOnly);
        var batch = Batch(data, 8) with { Sparse = Batch(data, 8).Sparse[.., 1..] };
        Assert.Equal([8L], onlyTargets.forward(batch).shape);
    }

    /// <summary>
    /// Users, items with a category each (item mod 8), and right-aligned histories of 0-6 earlier items with their
    /// categories; a click iff the target item's category appears in the history. Nothing but the history tells.
    /// </summary>
    static ScenarioDataset CategoryInHistory(int rows, int seed)
    {
        const int users = 20, items = 40, categories = 8, length = 6;
        var schema = new DatasetSchema(
        [
            FeatureSpec.Sparse("user_id", users), FeatureSpec.Sparse("item_id", items), FeatureSpec.Sparse("cate_id", categories),
            FeatureSpec.Sequence("hist_item_id", items + 1, length), FeatureSpec.Sequence("hist_cate_id", categories + 1, length),
        ], ["s0", "s1"]);
        var rng = new Random(seed);
        var sparse = new long[rows * 3];
        var scenario = new long[rows];
        var label = new float[rows];
        var historyItems = new long[rows * length];
        var historyCategories = new long[rows * length];
        for (int i = 0; i < rows; i++)
        {
            int item = rng.Next(items);
            sparse[3 * i] = rng.Next(users);
            sparse[3 * i + 1] = item;
            sparse[3 * i + 2] = item % categories;
            scenario[i] = rng.Next(2);
            int filled = rng.Next(length + 1);
            bool seen = false;
            for (int j = length - filled; j < length; j++)
            {
                int h = rng.Next(items);
                historyItems[i * length + j] = h + 1;
                historyCategories[i * length + j] = h % categories + 1;
                seen |= h % categories == item % categories;
            }
            label[i] = seen ? 1 : 0;
        }
        return ScenarioDataset.FromArrays("category-in-history", schema, sparse, [], scenario, label,
            new Dictionary<string, long[]> { ["hist_item_id"] = historyItems, ["hist_cate_id"] = historyCategories });
    }

    [Fact]
    public void Learns_a_label_that_only_the_history_tells()
    {
        using var data = CategoryInHistory(3000, seed: 3);
        using var split = DatasetSplit.Random(data.Count, 4);
        var trainer = new TrainerOptions(Epochs: 6, BatchSize: 128, LearningRate: 3e-3, Patience: 6);
        using var full = Build(data.Schema);
        var (test, constant) = LearningCheck.FitAndEvaluate(full, data, split, trainer);
        using var free = Build(data.Schema, ("sequences", "off"));
        var (freeTest, _) = LearningCheck.FitAndEvaluate(free, data, split, trainer);
        Assert.True(test.LogLoss < constant - 0.1, $"logloss {test.LogLoss} against the constant's {constant}");
        Assert.True(test.Auc > 0.85, $"AUC {test.Auc}");
        Assert.True(freeTest.Auc < test.Auc - 0.2, $"the sequence-free form reached AUC {freeTest.Auc}, the full form {test.Auc}");
    }
}
