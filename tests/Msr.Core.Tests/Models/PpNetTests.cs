using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class PpNetTests
{
    static ScenarioModel Build(DatasetSchema schema, string preset = Presets.MovieLens, params (string Key, string Value)[] options) =>
        ModelTestKit.Build("PPNet", schema, preset, seed: 5, options);

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void Forward_gives_one_probability_per_row(string refInput)
    {
        using var scope = NewDisposeScope();
        var schema = TestData.MovieLens();
        using var data = TestData.Random(schema, 40);
        using var model = Build(schema, options: ("ref_input", refInput));
        model.train();
        var p = model.forward(Batch(data, 40));
        Assert.Equal([40L], p.shape);
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>());
        // u = e_user ⊕ e_movie (32); a = 4 remaining sparse·16 + sce 16 + age = 81 (spec §3.8).
        Assert.Equal(["user_id", "movie_id"], Child<FeatureEmbedding>(model, "id_embedding").FieldNames);
        Assert.Equal(["gender", "occupation", "zip", "cate_id"], Child<FeatureEmbedding>(model, "agnostic_embedding").FieldNames);
    }

    [Fact]
    public void Under_the_reference_input_the_agnostic_and_scenario_tables_never_move_while_the_rest_learns()
    {
        var (frozen, moved, grads) = TrainAndCompare(("ref_input", "true"));
        // Bit-identical after training: no gradient, so Adam applied not even weight decay (spec §4.11).
        Assert.Equal(["agnostic_embedding.scenario_table.weight", "agnostic_embedding.tables.0.weight"], frozen.Order());
        Assert.All(frozen, name => Assert.False(grads[name], $"{name} has a gradient"));
        Assert.Contains("id_embedding.tables.0.weight", moved);
        Assert.Contains(moved, n => n.StartsWith("towers.0.blocks.0."));
        Assert.Contains(moved, n => n.StartsWith("towers.2.gates.2."));
    }

    [Fact]
    public void With_the_paper_input_the_agnostic_and_scenario_tables_learn()
    {
        var (frozen, _, _) = TrainAndCompare(("ref_input", "false"));
        Assert.Empty(frozen);
    }

    /// <summary>Two epochs of the trainer; which parameters are bit-identical afterwards, which moved, which have a gradient.</summary>
    static (List<string> Frozen, List<string> Moved, Dictionary<string, bool> HasGradient) TrainAndCompare((string Key, string Value) inputOption)
    {
        using var data = TestData.Synthetic(400);
        using var split = DatasetSplit.Random(data.Count, 2);
        // No id_features: the synthetic data (movielens preset, no movie_id) gives PPNet its user_id and item_id.
        using var model = Build(data.Schema, options: inputOption);
        var before = Snapshot(model);
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 2, BatchSize: 64, Patience: 5), seed: 2);
        var after = model.named_parameters().ToList();
        var frozen = after.Where(p => Identical(p.parameter, before[p.name])).Select(p => p.name).ToList();
        var moved = after.Select(p => p.name).Except(frozen).ToList();
        return (frozen, moved, after.ToDictionary(p => p.name, p => p.parameter.grad is not null));
    }

    public static TheoryData<string, long> AppendixA => new()
    {
        // Spec Appendix A.1, non-embedding; D_a = 81 / 516 (scenario block twice) / 344 / 16 / 48 / 32.
        { Presets.MovieLens, 218_019 },
        { Presets.KuaiRand, 1_128_965 },
        { Presets.AliCcp, 1_257_891 },
        { Presets.Amazon, 149_379 },
        { Presets.Douban, 183_171 },
        { Presets.Mind, 221_700 },
    };

    [Theory]
    [MemberData(nameof(AppendixA))]
    public void Non_embedding_parameters_match_appendix_A(string preset, long expected)
    {
        var schema = TestData.BenchmarkShape(preset);
        using var model = Build(schema, preset);
        // PPNet owns every sparse table but Ali-CCP's 301, and one scenario table (KuaiRand's duplicate reads it twice).
        Assert.Equal(OwnedTables(schema, f => !(preset == Presets.AliCcp && f == "301")), EmbeddingParameters(model));
        Assert.Equal(expected, model.ParameterCount - EmbeddingParameters(model));
    }

    [Fact]
    public void MovieLens_total_is_the_computed_one_not_table_4s()
    {
        // 211,616 sparse + 48 scenario + 218,019 = 429,683. P-BENCH Table 4 prints 349.68 K: exactly 80,003 fewer,
        // which no configuration of the reference explains (spec §4.11, A.2: ≈ 5,000 embedding rows); every other
        // dataset's PPNet figure matches this structure, so the computed count is the one asserted.
        using var model = Build(TestData.MovieLens());
        Assert.Equal(429_683, model.ParameterCount);
    }

    [Fact]
    public void The_paper_input_feeds_the_towers_a_instead_of_u_and_sg_a()
    {
        // Each tower's first Linear reads D_a = 81 inputs instead of 32 + 81: 32·128 weights fewer per tower.
        using var paper = Build(TestData.MovieLens(), options: ("ref_input", "false"));
        Assert.Equal(429_683 - 3 * 32 * 128, paper.ParameterCount);
    }

    [Fact]
    public void KuaiRand_duplicates_the_scenario_block_from_one_table_only_on_its_preset()
    {
        var schema = TestData.BenchmarkShape(Presets.KuaiRand);
        using var reference = Build(schema, Presets.KuaiRand);
        using var single = Build(schema, Presets.KuaiRand, ("duplicate_scenario", "false"));
        // The second block adds 16 inputs to every first block and every gate of the 5 towers (G = 32 + D_a):
        // first Linear 16·128, gates 16·(128 + 64 + 32); no second table.
        Assert.Equal(5 * 16 * (128 + 128 + 64 + 32), reference.ParameterCount - single.ParameterCount);
        Assert.Equal(EmbeddingParameters(single), EmbeddingParameters(reference));
        Assert.Equal("true", ModelRegistry.Get("PPNet").Options.Single(o => o.Name == "duplicate_scenario").DefaultText(Presets.KuaiRand));
        Assert.All(Presets.All.Where(p => p != Presets.KuaiRand),
            p => Assert.Equal("false", ModelRegistry.Get("PPNet").Options.Single(o => o.Name == "duplicate_scenario").DefaultText(p)));
    }

    [Fact]
    public void On_aliccp_the_ids_and_the_scenario_column_leave_the_agnostic_input()
    {
        using var model = Build(TestData.BenchmarkShape(Presets.AliCcp), Presets.AliCcp);
        Assert.Equal(["101", "205"], Child<FeatureEmbedding>(model, "id_embedding").FieldNames);
        var agnostic = Child<FeatureEmbedding>(model, "agnostic_embedding");
        Assert.Equal(20, agnostic.FieldNames.Count);
        Assert.DoesNotContain("301", agnostic.FieldNames);
        Assert.Equal(20 * 16 + 16, agnostic.OutputDim);                  // + 8 dense values = D_a 344
    }

    [Fact]
    public void A_missing_id_feature_is_an_error_naming_the_option_and_the_datasets_sparse_features()
    {
        var e = Assert.Throws<ArgumentException>(() => Build(TestData.Shaped([5, 5], 1, 2)));
        Assert.Contains("id_features", e.Message);
        Assert.Contains("'user_id', 'movie_id'", e.Message);
        Assert.Contains("its sparse features: f0, f1", e.Message);
        var twice = Assert.Throws<ArgumentException>(() => Build(TestData.Shaped([5, 5], 1, 2), options: ("id_features", "[f0,f0]")));
        Assert.Contains("names a feature twice", twice.Message);
        // Ali-CCP's default exclusion of 301 on a dataset without it names that option.
        var e301 = Assert.Throws<ArgumentException>(() => Build(TestData.Shaped([5, 5], 1, 2), Presets.AliCcp, ("id_features", "[f0,f1]")));
        Assert.StartsWith("option 'exclude_features' (preset 'aliccp'): the dataset has no sparse feature '301'", e301.Message);
    }

    [Fact]
    public void Without_the_presets_ids_the_datasets_own_user_and_item_columns_are_the_ids_when_unambiguous()
    {
        // Synthetic and custom CSV data take the movielens preset, whose ids are user_id/movie_id; they have no movie_id.
        using var synthetic = Build(TestData.Shaped([5, 6, 7], 0, 2, userAndItem: true));
        Assert.Equal(["user_id", "item_id"], Child<FeatureEmbedding>(synthetic, "id_embedding").FieldNames);
        var csv = new DatasetSchema([FeatureSpec.Sparse("page", 3), FeatureSpec.Sparse("item", 6), FeatureSpec.Sparse("user", 5)], ["a", "b"]);
        var settings = new Settings();
        using var custom = ModelRegistry.Create("PPNet", new ModelContext(csv), settings);
        Assert.Equal(["user", "item"], Child<FeatureEmbedding>(custom, "id_embedding").FieldNames);
        Assert.Equal("[user,item]", settings.Resolved["id_features"]);                // the run records the ids used

        // Two columns with a user name: no guess, the error says what was looked for.
        var twoUsers = new DatasetSchema([FeatureSpec.Sparse("user_id", 5), FeatureSpec.Sparse("user", 5), FeatureSpec.Sparse("item_id", 6)], ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => Build(twoUsers));
        Assert.Equal("option 'id_features' (preset 'movielens'): the dataset has no sparse feature 'movie_id'; its sparse features: user_id, user, item_id; " +
            "[user_id,movie_id] is the preset's default (on data without it: the dataset's one user and one item column by name, not found unambiguously): " +
            "give option 'id_features' for this dataset", e.Message);
        // A given value is never replaced by the guess.
        var given = Assert.Throws<ArgumentException>(() => Build(TestData.Shaped([5, 6], 0, 2, userAndItem: true), options: ("id_features", "[user_id,movie_id]")));
        Assert.Equal("option 'id_features' (preset 'movielens'): the dataset has no sparse feature 'movie_id'; its sparse features: user_id, item_id", given.Message);
    }

    [Fact]
    public void Learns_above_a_constant_predictor_on_synthetic_data()
    {
        var (test, constant) = LearningCheck.Fit("PPNet");
        Assert.True(test.Auc > 0.65, $"test AUC {test.Auc}");
        Assert.True(test.LogLoss < constant, $"test logloss {test.LogLoss} vs constant {constant}");
    }
}
