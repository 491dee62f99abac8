using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class AdlPaperTests
{
    const string Name = "ADL-Paper";

    static Tensor Centres(ScenarioModel model) => model.get_buffer("centres")!;

    static ScenarioModel BuildSmall(DatasetSchema schema, params (string, string)[] extra) =>
        Build(Name, schema, Presets.MovieLens, 3, [("tower_dims", "[4]"), ("dropout", "0"), .. extra]);

    /// <summary>The routing of spec §4.9 written out: E₀ = C, three times R = softmax(x·Eᵀ), E = normalise(Rᵀx); argmax R; C ← normalise(0.9·C + 0.1·E).</summary>
    static (long[] Cluster, Tensor Centres) Expected(ScenarioModel model, ScenarioBatch batch)
    {
        using var _ = no_grad();
        var x = Child<FeatureEmbedding>(model, "embedding").forward(batch);
        var c = Centres(model).clone();
        var e = c;
        Tensor r = null!;
        for (int i = 0; i < 3; i++)
        {
            r = softmax(x.matmul(e.t()), 1);
            e = nn.functional.normalize(r.t().matmul(x), p: 2, dim: 1);
        }
        return (r.argmax(1).data<long>().ToArray(), nn.functional.normalize(0.9 * c + 0.1 * e, p: 2, dim: 1));
    }

    static float[] RunningMean(ScenarioModel model, int k) => Values(model.named_buffers().Single(b => b.name == $"cluster_towers.{k}.layers.bn0.running_mean").buffer);

    static Tensor Param(ScenarioModel model, string name) => model.named_parameters().Single(p => p.name == name).parameter;

    [Fact]
    public void Each_cluster_tower_normalises_over_its_own_rows_only()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3);
        using var data = TestData.Random(schema, 60);
        using var model = BuildSmall(schema);
        SpreadEmbeddings(model);
        var batch = Batch(data, 0, 60);
        var (cluster, _) = Expected(model, batch);
        Tensor x;
        using (no_grad()) x = Child<FeatureEmbedding>(model, "embedding").forward(batch);

        model.train();
        Assert.Equal([60L], model.forward(batch).shape);
        int populated = 0;
        for (int k = 0; k < 3; k++)
        {
            var rows = Enumerable.Range(0, 60).Where(i => cluster[i] == k).Select(i => (long)i).ToArray();
            if (rows.Length < 2) { Assert.Equal(new float[4], RunningMean(model, k)); continue; }
            populated++;
            using var _ = no_grad();
            var h = nn.functional.linear(x.index_select(0, tensor(rows)), Param(model, $"cluster_towers.{k}.layers.linear0.weight"),
                Param(model, $"cluster_towers.{k}.layers.linear0.bias"));
            var expected = Values(0.1 * h.mean([0]));                          // momentum 0.1 from a zero running mean
            var actual = RunningMean(model, k);
            for (int j = 0; j < 4; j++) Assert.Equal(expected[j], actual[j], 1e-5);
        }
        Assert.True(populated >= 2, "the test batch should populate at least two clusters");
    }

    [Fact]
    public void Empty_and_single_row_clusters_are_safe_in_training_and_a_single_row_leaves_batch_statistics_alone()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3);
        using var data = TestData.Random(schema, 40);
        using var model = BuildSmall(schema);
        SpreadEmbeddings(model);
        model.train();
        int splits = 0;
        for (int from = 0; from < 40; from += 2)
        {
            var batch = Batch(data, from, 2);                                   // 2 rows, 3 clusters: one is always empty
            var (cluster, _) = Expected(model, batch);
            var before = Enumerable.Range(0, 3).Select(k => RunningMean(model, k)).ToList();
            var p = model.forward(batch);
            Assert.True(p.isfinite().all().item<bool>());
            if (cluster[0] == cluster[1]) continue;
            splits++;
            foreach (int k in cluster) Assert.Equal(before[k], RunningMean(model, k));
        }
        Assert.True(splits > 0, "some pair should split over two clusters");
        Assert.Equal([1L], model.forward(Batch(data, 0, 1)).shape);             // a one-row training batch too
    }

    [Fact]
    public void Centres_move_once_in_every_forward_in_training_and_in_evaluation()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3);
        using var data = TestData.Random(schema, 50);
        using var model = BuildSmall(schema);
        SpreadEmbeddings(model);
        var batch = Batch(data, 0, 50);
        foreach (bool training in new[] { true, false })
        {
            model.train(training);
            var (_, expected) = Expected(model, batch);
            using (no_grad()) model.forward(batch);
            Assert.True(Centres(model).allclose(expected, rtol: 1e-5, atol: 1e-6), $"training={training}");
        }
    }

    [Fact]
    public void L2_penalty_is_a_loss_term_and_its_parameters_skip_the_coupled_weight_decay()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3);
        using var data = TestData.Random(schema, 32);
        using var model = BuildSmall(schema);
        var batch = Batch(data, 0, 32);

        model.train();
        model.forward(batch);
        var term = Assert.Single(model.TakeLossTerms());
        Assert.Equal("l2", term.Name);
        var penalised = model.named_parameters()
            .Where(p => p.name.StartsWith("embedding.") || p.name == "linear.weight" || p.name == "shared_output.weight"
                || p.name.StartsWith("cluster_outputs.") && p.name.EndsWith(".weight") || p.name.Contains(".linear") && p.name.EndsWith(".weight"))
            .ToList();
        double expected = 1e-5 * penalised.Sum(p => p.parameter.square().sum().item<float>());
        Assert.Equal(expected, term.Value.item<float>(), expected * 1e-5);

        var groups = model.ParameterGroups();
        Assert.Equal(2, groups.Count);
        Assert.Equal(0.0, groups[0].WeightDecay);
        Assert.Null(groups[1].WeightDecay);
        Assert.Equal(penalised.Select(p => p.parameter.Handle).Order(), groups[0].Parameters.Select(p => p.Handle).Order());
        Assert.Equal(model.parameters().Select(p => p.Handle).Order(), groups.SelectMany(g => g.Parameters).Select(p => p.Handle).Order());

        model.eval();
        using (no_grad()) model.forward(batch);
        Assert.Empty(model.TakeLossTerms());

        using var plain = BuildSmall(schema, ("l2_reg", "0"));
        plain.train();
        plain.forward(batch);
        Assert.Empty(plain.TakeLossTerms());
        Assert.Single(plain.ParameterGroups());
    }

    [Fact]
    public void Learns_above_a_constant_predictor()
    {
        double auc = LearningCheck.Fit(Name).Test.Auc!.Value;
        Assert.True(auc > 0.55, $"test AUC {auc}");
    }

    [Fact]
    public void MovieLens_parameter_count_follows_from_the_architecture()
    {
        // x = sp ⊕ sce: D = 6·16 + 16 = 112. Tables 211,616 + 48. Linear term 112 (no bias). Three cluster towers
        // MLP(112 → 64 → 64) with BatchNorm: (112·64 + 64) + 128 + (64·64 + 64) + 128 = 11,648 each. Three cluster
        // output layers and a shared one, 65 each.
        using var model = Build(Name, TestData.MovieLens());
        Assert.Equal(211_616 + 48 + 112 + 3 * 11_648 + 4 * 65, model.ParameterCount);
    }
}
