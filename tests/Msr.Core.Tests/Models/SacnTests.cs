using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class SacnTests
{
    const int D = 16, N = TestData.HistoryLength;

    static ScenarioModel Build(DatasetSchema schema, params (string Key, string Value)[] options) =>
        ModelTestKit.Build("SACN", schema, Presets.MovieLens, seed: 5, options);

    /// <summary>user_id (30), item_id (20), f2 (6: the item attribute), one dense, three scenarios; hist_item_id and hist_f2.</summary>
    static DatasetSchema Schema() => TestData.Shaped([30, 20, 6], 1, 3, userAndItem: true);

    static long Linear(long input, long output) => input * output + output;

    [Theory]
    [InlineData("literal")]
    [InlineData("generalised")]
    public void Parameters_are_the_tables_two_extractors_the_fusion_and_the_mlp(string attention)
    {
        long tables = (20 + 1) * D + (6 + 1) * D + 3 * D;                       // item and attribute (row 0 pads), scenario
        long extractor = 4 * D * D;                                             // W^Q, W^K, W^V (d × h·d_k = d × d) and W^O
        if (attention == "generalised") extractor += Linear(2 * D, 4 * D * (D / 4));   // R_i for 4 heads of d_k = 4
        long fusion = Linear(1 * N * D, 1);                                     // one attribute: α over m = 1
        long input = 2 * N * D + 2 * D + D;                                     // P^I ⊕ P^A ⊕ e_x ⊕ e_a ⊕ e_s
        long mlp = Linear(input, 256) + Linear(256, 128) + Linear(128, 64) + Linear(64, 1);
        using var model = Build(Schema(), ("attention", attention));
        Assert.Equal(tables + 2 * extractor + fusion + mlp, model.ParameterCount);
    }

    [Fact]
    public void Context_features_add_the_other_fields_and_dense_values_to_the_mlp_input()
    {
        using var plain = Build(Schema());
        using var withContext = Build(Schema(), ("context_features", "true"));
        // user_id's table (30 × 16) and the MLP's first layer reading its 16 values and the dense one.
        Assert.Equal(30 * D + (D + 1) * 256, withContext.ParameterCount - plain.ParameterCount);
    }

    /// <summary>
    /// The extractor against spec §4.16's formula computed head by head, row by row, in double: R from e_s ⊕ e_x,
    /// Q_i = X(W_i^Q ⊙ R), softmax over the valid keys only, X̂ = (⊕ heads)·W^O, padded positions zero.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_extractor_computes_the_papers_attention_head_by_head(bool literal)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var extractor = new Sacn.PreferenceExtractor(D, literal, heads: 4);
        using (no_grad()) foreach (var p in extractor.parameters()) p.copy_(randn_like(p) * 0.5);
        const int b = 3, k = 2;
        var valid = tensor(new[] { false, false, true, true, true, true, true, true, false, false, false, false }).view(b, N);
        var sequence = randn(b, N, D) * valid.unsqueeze(-1);      // padded positions are zero rows, as padding_idx gives
        var target = randn(b, D);
        var scenarios = randn(b, k, D);
        var got = extractor.Extract(sequence, target, scenarios, valid, Sacn.PreferenceExtractor.KeyBias(valid, k)).to_type(ScalarType.Float64);
        Assert.Equal([(long)b, k, N * D], got.shape);

        var weights = extractor.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().to_type(ScalarType.Float64));
        int heads = literal ? D / 2 : 4, dk = D / heads;
        for (int row = 0; row < b; row++)
            for (int s = 0; s < k; s++)
            {
                var joint = cat([scenarios[row, s], target[row]]).to_type(ScalarType.Float64);              // e_s ⊕ e_x
                var x = sequence[row].to_type(ScalarType.Float64);                                           // (N, d)
                var headOutputs = new List<Tensor>();
                for (int h = 0; h < heads; h++)
                {
                    var r = literal
                        ? joint.view(D, 2)                                                                       // reshape(e_s ⊕ e_x, (d, 2))
                        : (matmul(weights["reshape.weight"], joint) + weights["reshape.bias"]).view(heads, D, dk)[h];
                    Tensor Project(string name) => matmul(x, weights[name].narrow(1, h * dk, dk) * r);
                    var scores = matmul(Project("query_weight"), Project("key_weight").T) / Math.Sqrt(dk);
                    var output = zeros(N, dk, ScalarType.Float64);
                    var keys = valid[row];
                    if (keys.any().item<bool>())
                    {
                        var attention = nn.functional.softmax(scores.masked_fill(keys.logical_not().unsqueeze(0), double.NegativeInfinity), 1);
                        output = matmul(attention, Project("value_weight"));
                    }
                    headOutputs.Add(output);
                }
                var expected = (matmul(cat(headOutputs, 1), weights["output.weight"].T) * valid[row].unsqueeze(1)).flatten();
                Assert.True((got[row, s] - expected).abs().max().item<double>() < 1e-5, $"row {row}, scenario {s}");
            }
        Assert.Equal(0.0, got[2].abs().max().item<double>());                                       // no behaviours: P = 0
    }

    /// <summary>L_ssl1 + L_ssl2 of spec §4.16 from cosine similarities and exponentials, summed by hand.</summary>
    [Fact]
    public void The_contrastive_loss_is_the_mean_of_the_two_infonce_terms_over_all_scenarios()
    {
        manual_seed(9);
        const int b = 4, k = 3, f = 8;
        const double tau = 0.2;
        var items = randn(b, k, f, dtype: ScalarType.Float64);
        var attributes = randn(b, k, f, dtype: ScalarType.Float64);
        var own = tensor(new long[] { 0, 2, 1, 2 });
        double Cos(Tensor u, Tensor v) => (u.dot(v) / (u.norm() * v.norm())).item<double>();
        double total = 0;
        for (int row = 0; row < b; row++)
        {
            int t = (int)own[row].item<long>();
            var anchor = items[row, t];
            double positive = Math.Exp(Cos(anchor, attributes[row, t]) / tau);
            double toItems = 0, toAttributes = 0;
            for (int s = 0; s < k; s++)
            {
                toItems += Math.Exp(Cos(anchor, items[row, s]) / tau);
                toAttributes += Math.Exp(Cos(anchor, attributes[row, s]) / tau);
            }
            total += -Math.Log(positive / toItems) - Math.Log(positive / toAttributes);
        }
        Assert.Equal(total / b, Sacn.ContrastiveLoss(items, attributes, own, tau).item<double>(), 10);
    }

    [Fact]
    public void Training_computes_every_scenario_yet_predicts_what_evaluation_predicts_from_the_rows_own()
    {
        using var scope = NewDisposeScope();
        var schema = Schema();
        using var data = TestData.Random(schema, 40);
        using var model = Build(schema);
        var batch = Batch(data, 40);
        model.train();
        var trained = model.forward(batch);
        var terms = model.TakeLossTerms();
        Assert.Equal("scenario_contrast", Assert.Single(terms).Name);
        Assert.True(terms[0].Value.item<float>() > 0);
        model.eval();
        var evaluated = model.forward(batch);
        Assert.Empty(model.TakeLossTerms());
        Assert.True((trained - evaluated).abs().max().item<float>() < 1e-6);   // no dropout, no batch statistics
        using var noContrast = Build(schema, ("gamma", "0"));
        noContrast.train();
        noContrast.forward(batch);
        Assert.Empty(noContrast.TakeLossTerms());
    }

    [Fact]
    public void The_prediction_depends_on_the_history_and_on_the_scenario_and_rows_without_history_are_finite()
    {
        using var scope = NewDisposeScope();
        var schema = Schema();
        using var data = TestData.Random(schema, 30);
        using var model = Build(schema);
        model.eval();
        using var _ = no_grad();
        var batch = Batch(data, 30);
        var p = model.forward(batch);
        var items = batch.Sequences["hist_item_id"];
        var shifted = batch with { Sequences = new Dictionary<string, Tensor>(batch.Sequences) { ["hist_item_id"] = where(items.ne(0), items % 20 + 1, items) } };
        var rowsWithHistory = items.ne(0).any(1);
        Assert.True((model.forward(shifted) - p).abs().masked_select(rowsWithHistory).min().item<float>() > 0);
        var other = batch with { Scenario = (batch.Scenario + 1).remainder(3) };
        Assert.True((model.forward(other) - p).abs().max().item<float>() > 1e-5);
        var empty = batch with { Sequences = batch.Sequences.ToDictionary(kv => kv.Key, kv => zeros_like(kv.Value)) };
        Assert.True(model.forward(empty).isfinite().all().item<bool>());
        model.train();
        model.forward(empty);
        Assert.True(model.TakeLossTerms()[0].Value.isfinite().item<bool>());
    }

    [Fact]
    public void Padding_rows_stay_zero_through_training_with_weight_decay()
    {
        var schema = Schema();
        using var data = TestData.Random(schema, 256);
        using var split = DatasetSplit.Random(data.Count, 1);
        using var model = Build(schema);
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 2, BatchSize: 64, Patience: 5, WeightDecay: 1e-3), seed: 1);
        foreach (var (name, table) in model.named_parameters().Where(p => p.name.StartsWith("history_embedding.")))
            Assert.True(table[0].abs().max().item<float>() == 0, name);
    }

    /// <summary>
    /// Click iff the target's attribute is among the history's attributes in scenarios 0 and 1, and iff it is not in
    /// scenario 2: a label only the histories, read per scenario, can predict.
    /// </summary>
    [Fact]
    public void Learns_a_label_that_only_the_history_and_the_scenario_explain()
    {
        const int rows = 3000, items = 40, attributes = 5;
        var schema = new DatasetSchema([FeatureSpec.Sparse("user_id", 30), FeatureSpec.Sparse("item_id", items), FeatureSpec.Sparse("f2", attributes),
            FeatureSpec.Sequence("hist_item_id", items + 1, N), FeatureSpec.Sequence("hist_f2", attributes + 1, N)], ["s0", "s1", "s2"]);
        var rng = new Random(4);
        var sparse = new long[rows * 3];
        var scenario = new long[rows];
        var label = new float[rows];
        var histItems = new long[rows * N];
        var histAttributes = new long[rows * N];
        for (int i = 0; i < rows; i++)
        {
            int item = rng.Next(items);
            (sparse[3 * i], sparse[3 * i + 1], sparse[3 * i + 2]) = (rng.Next(30), item, item % attributes);
            scenario[i] = rng.Next(3);
            bool seen = false;
            for (int j = 0; j < N; j++)
            {
                int h = rng.Next(items);
                histItems[i * N + j] = h + 1;
                histAttributes[i * N + j] = h % attributes + 1;
                seen |= h % attributes == item % attributes;
            }
            label[i] = seen == (scenario[i] != 2) ? 1 : 0;
        }
        using var data = ScenarioDataset.FromArrays("history-task", schema, sparse, [], scenario, label,
            new Dictionary<string, long[]> { ["hist_item_id"] = histItems, ["hist_f2"] = histAttributes });
        using var split = DatasetSplit.Random(rows, 2);
        using var model = Build(schema);
        var (test, _) = LearningCheck.FitAndEvaluate(model, data, split, new TrainerOptions(Epochs: 8, BatchSize: 128, LearningRate: 3e-3, Patience: 8));
        Assert.True(test.Auc > 0.8, $"test AUC {test.Auc}");
    }

    [Fact]
    public void Data_without_histories_or_attributes_is_refused_with_how_to_load_them()
    {
        var none = Assert.Throws<ArgumentException>(() => Build(TestData.Shaped([30, 20, 6], 1, 3)));
        Assert.Contains("history=L", none.Message);
        Assert.Contains("movielens-100k", none.Message);
        var itemsOnly = Assert.Throws<ArgumentException>(() => Build(TestData.Shaped([30, 20], 1, 3, userAndItem: true)));
        Assert.Contains("history_attributes", itemsOnly.Message);
        var unknown = Assert.Throws<ArgumentException>(() => Build(Schema(), ("histories", "hist_item_id,hist_genre")));
        Assert.Contains("no sequence feature 'hist_genre'; its sequence features: hist_item_id, hist_f2", unknown.Message);
        var odd = Assert.Throws<ArgumentException>(() => Build(Schema(), ("attention", "generalised"), ("heads", "3")));
        Assert.Contains("'heads' (3) must divide the embedding width 16", odd.Message);
    }
}
