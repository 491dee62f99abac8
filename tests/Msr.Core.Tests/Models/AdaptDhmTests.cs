using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class AdaptDhmTests
{
    const string Name = "ADL";

    static Tensor Centres(ScenarioModel model) => model.get_buffer("centres")!;

    /// <summary>The spec's update (§4.8), written out: C ← row-normalise(β·C + (1−β)·softmax(x·Cᵀ)ᵀx).</summary>
    static Tensor Updated(Tensor centres, Tensor x, int times)
    {
        var c = centres.clone();
        for (int i = 0; i < times; i++)
            c = nn.functional.normalize(0.9 * c + 0.1 * softmax(x.matmul(c.t()), 1).t().matmul(x), p: 2, dim: 1);
        return c;
    }

    [Fact]
    public void Input_is_sparse_and_scenario_embeddings_without_dense_and_output_is_per_row()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 2, 3);
        using var data = TestData.Random(schema, 40);
        using var model = Build(Name, schema);
        Assert.Equal(3 * 16 + 16, Child<FeatureEmbedding>(model, "embedding").OutputDim);
        Assert.Equal([3L, 64L], Centres(model).shape);
        Assert.Equal(1.0, Centres(model).norm(1).mean().item<float>(), 1e-5);        // unit rows
        model.train();
        Assert.Equal([40L], model.forward(Batch(data, 0, 40)).shape);
    }

    [Fact]
    public void Training_forward_moves_the_centres_three_times_and_eval_forward_not_at_all()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3);
        using var data = TestData.Random(schema, 64);
        using var model = Build(Name, schema);
        SpreadEmbeddings(model);
        var batch = Batch(data, 0, 64);
        Tensor x;
        using (no_grad()) x = Child<FeatureEmbedding>(model, "embedding").forward(batch);
        var before = Centres(model).clone();

        model.train();
        model.forward(batch);
        var afterTraining = Centres(model).clone();
        Assert.True(afterTraining.allclose(Updated(before, x, 3), rtol: 1e-5, atol: 1e-6), "three updates expected");
        Assert.False(afterTraining.allclose(Updated(before, x, 2), rtol: 1e-5, atol: 1e-6), "not two");
        Assert.Equal(1.0, afterTraining.norm(1).mean().item<float>(), 1e-5);

        model.eval();
        using (no_grad()) model.forward(batch);
        Assert.True(Centres(model).eq(afterTraining).all().item<bool>(), "evaluation must not move the centres");
    }

    [Fact]
    public void Every_row_takes_the_tower_of_the_argmax_cluster()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 0, 3);
        using var data = TestData.Random(schema, 50);
        using var model = Build(Name, schema);
        SpreadEmbeddings(model);
        model.eval();
        using var _ = no_grad();
        var batch = Batch(data, 0, 50);
        var cluster = Child<FeatureEmbedding>(model, "embedding").forward(batch).matmul(Centres(model).t()).argmax(1);
        Assert.True(cluster.eq(1).any().item<bool>() && cluster.ne(1).any().item<bool>(), "the batch should use cluster 1 and another");
        var before = model.forward(batch).clone();
        // Changing cluster tower 1 changes exactly the rows routed to cluster 1.
        foreach (var (_, p) in model.named_parameters().Where(p => p.name.StartsWith("cluster_towers.1.weights."))) p.mul_(1.5);
        var changed = model.forward(batch).ne(before);
        Assert.True(changed.eq(cluster.eq(1)).all().item<bool>());
    }

    [Fact]
    public void Gradients_reach_every_weight_and_no_bias_and_the_centres_are_no_parameter()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 1, 3);
        using var data = TestData.Random(schema, 64);
        using var model = Build(Name, schema);
        SpreadEmbeddings(model);
        model.train();
        var batch = Batch(data, 0, 64);
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        var named = model.named_parameters().ToList();
        Assert.DoesNotContain(named, p => p.name.Contains("centres"));
        Assert.False(Centres(model).requires_grad);
        var biases = named.Where(p => p.name.Contains(".biases.")).ToList();
        Assert.Equal(4 * 3, biases.Count);                                      // 4 towers × 3 layers
        Assert.All(biases, p => Assert.Null(p.parameter.grad));
        Assert.All(named.Except(biases), p => Assert.True(p.parameter.grad is not null, $"{p.name} has no gradient"));
    }

    [Fact]
    public void Restoring_the_best_epoch_keeps_the_latest_centres_and_saving_keeps_them_too()
    {
        using var data = TestData.Synthetic(1500);
        using var split = DatasetSplit.Random(data.Count, 9);
        using var model = Build(Name, data.Schema, seed: 9);
        var centresAfterEpoch = new List<float[]>();
        // A large learning rate makes validation AUC wander, so patience 1 stops (and restores) within the budget.
        var history = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 12, BatchSize: 128, LearningRate: 0.05, Patience: 1), 9,
            progress: _ => centresAfterEpoch.Add(Values(Centres(model))));
        Assert.Equal(StopReason.EarlyStopping, history.Stop);
        Assert.True(history.RestoredBest);
        Assert.True(history.BestEpoch < history.Epochs.Count);
        Assert.Equal(centresAfterEpoch[^1], Values(Centres(model)));            // not rolled back
        Assert.NotEqual(centresAfterEpoch[history.BestEpoch - 1], Values(Centres(model)));

        var dir = Directory.CreateTempSubdirectory("msr-adl-");
        try
        {
            var path = Path.Combine(dir.FullName, "w.bin");
            ModelWeights.Save(model, path);
            using var reloaded = Build(Name, data.Schema, seed: 77);
            Assert.NotEqual(Values(Centres(model)), Values(Centres(reloaded)));
            ModelWeights.Load(reloaded, path);
            Assert.Equal(Values(Centres(model)), Values(Centres(reloaded)));
            Assert.Equal(Trainer.Predict(model, data, split.Test, 256), Trainer.Predict(reloaded, data, split.Test, 256));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Learns_above_a_constant_predictor()
    {
        double auc = LearningCheck.Fit(Name).Test.Auc!.Value;
        Assert.True(auc > 0.55, $"test AUC {auc}");
    }

    [Fact]
    public void MovieLens_total_matches_the_paper_table()
    {
        // Spec Appendix A.1: 45,828 tower parameters (biases included) + 211,616 sparse + 48 scenario table = P-BENCH's 257.49 K.
        using var model = Build(Name, TestData.MovieLens());
        Assert.Equal(257_492, model.ParameterCount);
    }

    public static TheoryData<string, long> NonEmbeddingCases => new()
    {
        { "movielens", 45_828 },
        { "kuairand", 152_324 },
        { "aliccp", 553_476 },
        { "amazon", 29_444 },
        { "douban", 37_636 },
        { "mind", 33_540 },
    };

    [Theory]
    [MemberData(nameof(NonEmbeddingCases))]
    public void Non_embedding_counts_match_appendix_A(string preset, long expected)
    {
        using var model = Build(Name, TestData.BenchmarkShape(preset), preset: preset);
        Assert.Equal(expected, NonEmbeddingParameters(model));
    }

    [Fact]
    public void AliCcp_leaves_out_field_301_by_default_and_can_keep_it()
    {
        var schema = TestData.BenchmarkShape(Presets.AliCcp);
        using var dropped = Build(Name, schema, preset: "aliccp");
        Assert.Equal(22 * 16 + 16, Child<FeatureEmbedding>(dropped, "embedding").OutputDim);
        Assert.DoesNotContain("301", Child<FeatureEmbedding>(dropped, "embedding").FieldNames);
        using var kept = Build(Name, schema, preset: "aliccp", options: ("exclude_features", "[]"));
        Assert.Equal(23 * 16 + 16, Child<FeatureEmbedding>(kept, "embedding").OutputDim);
    }

    [Fact]
    public void Excluding_a_feature_the_dataset_lacks_names_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => Build(Name, TestData.Shaped([5, 5], 1, 3), preset: "aliccp"));
        Assert.Contains("exclude_features", e.Message);
        Assert.Contains("'301'", e.Message);
    }
}
