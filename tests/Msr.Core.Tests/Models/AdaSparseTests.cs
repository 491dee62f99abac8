using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;
using static Msr.Core.Tests.Models.ModelTestKit;

namespace Msr.Core.Tests.Models;

public sealed class AdaSparseTests
{
    const string Name = "AdaSparse";

    static AdaSparse BuildAdaSparse(DatasetSchema schema, params (string Key, string Value)[] options) =>
        (AdaSparse)Build(Name, schema, options: options);

    static double Alpha(AdaSparse model) => model.Alpha.item<double>();

    [Fact]
    public void Forward_gives_one_probability_per_row_in_training_and_evaluation()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 2, 3);
        using var data = TestData.Random(schema, 48);
        using var model = Build(Name, schema);
        model.train();
        Assert.Equal([48L], model.forward(Batch(data, 48)).shape);
        model.eval();
        using var _ = no_grad();
        Assert.Equal([1L], model.forward(Batch(data, 1)).shape);
    }

    [Fact]
    public void Fusion_trains_every_parameter_including_the_pruners()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 1, 3);
        using var data = TestData.Random(schema, 64);
        using var model = Build(Name, schema, options: [("dropout", "0")]);
        Assert.Equal(3, model.named_parameters().Count(p => p.name.StartsWith("pruners.")));
        Assert.Empty(ParametersWithoutGradient(model, Batch(data, 64)));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public void Binarization_gives_the_pruners_no_gradient_and_everything_else_one(string zeroBelow)
    {
        // π = sign(σ(αv) − ε) (or its 0/1 form): a step function of the pruner output, so no gradient reaches the pruner.
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 1, 3);
        using var data = TestData.Random(schema, 64);
        using var model = Build(Name, schema, options: [("form", "binarization"), ("dropout", "0"), ("zero_below_epsilon", zeroBelow)]);
        var without = ParametersWithoutGradient(model, Batch(data, 64));
        Assert.Equal(["pruners.0.weight", "pruners.1.weight", "pruners.2.weight"], without.Order());
    }

    [Fact]
    public void Alpha_grows_by_its_step_at_every_forward_in_training_and_evaluation_as_the_reference()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        using var data = TestData.Random(schema, 32);
        using var model = BuildAdaSparse(schema, ("alpha_init", "1.5"), ("alpha_step", "0.25"));
        Assert.Equal(ScalarType.Float64, model.Alpha.dtype);
        Assert.Equal(1.5, Alpha(model));
        model.train();
        model.forward(Batch(data, 32));
        model.forward(Batch(data, 32));
        Assert.Equal(2.0, Alpha(model));
        model.eval();
        using (no_grad()) model.forward(Batch(data, 5));
        Assert.Equal(2.25, Alpha(model));
        // α is saved state, not a parameter: neither optimised nor counted.
        Assert.DoesNotContain(model.named_parameters(), p => p.name == "alpha");
        Assert.Contains("alpha", model.state_dict().Keys);
    }

    [Fact]
    public void Alpha_grows_only_in_training_when_asked()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        using var data = TestData.Random(schema, 32);
        using var model = BuildAdaSparse(schema, ("alpha_step", "0.5"), ("anneal_only_in_training", "true"));
        model.eval();
        using (no_grad()) model.forward(Batch(data, 8));
        Assert.Equal(1.0, Alpha(model));
        model.train();
        model.forward(Batch(data, 32));
        Assert.Equal(1.5, Alpha(model));
    }

    [Fact]
    public void Alpha_is_not_rolled_back_by_the_best_snapshot_restore()
    {
        var schema = TestData.Shaped([20, 10], 1, 2);
        using var data = TestData.Random(schema, 100);
        using var split = DatasetSplit.Random(data.Count, 3);
        using var model = BuildAdaSparse(schema, ("alpha_step", "0.001"));
        // Patience 1 on random labels stops after a few epochs and restores an earlier snapshot.
        var h = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 20, BatchSize: 32, Patience: 1), seed: 1);
        Assert.True(h.RestoredBest);
        Assert.True(h.BestEpoch < h.Epochs.Count);
        // Every forward counted: per epoch 3 training batches (80 rows) and 1 validation batch (10 rows).
        Assert.Equal(1.0 + 0.001 * 4 * h.Epochs.Count, Alpha(model), 1e-12);
        Assert.Contains("alpha", model.StateKeptAtRestore);
    }

    [Fact]
    public void Alpha_is_saved_with_the_weights()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        using var data = TestData.Random(schema, 32);
        using var model = BuildAdaSparse(schema, ("alpha_step", "0.5"));
        model.train();
        model.forward(Batch(data, 32));
        var path = Path.Combine(Path.GetTempPath(), $"msr-adasparse-{Environment.ProcessId}-{Guid.NewGuid():N}.bin");
        try
        {
            ModelWeights.Save(model, path);
            using var reloaded = BuildAdaSparse(schema, ("alpha_step", "0.5"));
            ModelWeights.Load(reloaded, path);
            Assert.Equal(1.5, Alpha(reloaded));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Sub_threshold_factors_are_negative_as_the_reference_and_zero_with_zero_below_epsilon()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        // Fusion: f = 2·σ(v) at α = 1; f(−10) ≈ 9.1e-5 < ε = 0.01, f(0) = 1, f(10) ≈ 2.
        var v = tensor(new float[] { -10, 0, 10 });
        double low = 2 / (1 + Math.Exp(10));
        using var reference = BuildAdaSparse(schema);
        var refFactors = reference.Factors(v).data<float>().ToArray();
        Assert.Equal(-low, refFactors[0], 1e-9);
        Assert.Equal(1.0, refFactors[1], 1e-6);
        Assert.Equal(2 - low, refFactors[2], 1e-6);
        using var paper = BuildAdaSparse(schema, ("zero_below_epsilon", "true"));
        var paperFactors = paper.Factors(v).data<float>().ToArray();
        Assert.Equal([0f, refFactors[1], refFactors[2]], paperFactors);
        // Binarization: ±1 as the reference, 0/1 with zero_below_epsilon; scaling ignores α.
        using var binary = BuildAdaSparse(schema, ("form", "binarization"));
        Assert.Equal([-1f, 1f, 1f], binary.Factors(v).data<float>().ToArray());
        using var binaryPaper = BuildAdaSparse(schema, ("form", "binarization"), ("zero_below_epsilon", "true"));
        Assert.Equal([0f, 1f, 1f], binaryPaper.Factors(v).data<float>().ToArray());
        using var scaling = BuildAdaSparse(schema, ("form", "scaling"), ("alpha_init", "100"));
        Assert.Equal(1.0, scaling.Factors(v).data<float>()[1], 1e-6);
        Assert.Equal(-low, scaling.Factors(v).data<float>()[0], 1e-9);
    }

    [Fact]
    public void Sparsity_regulariser_is_off_by_default_and_otherwise_a_training_loss_term_that_reaches_the_pruners()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        using var data = TestData.Random(schema, 64);
        var batch = Batch(data, 64);
        using var plain = Build(Name, schema);
        plain.train();
        plain.forward(batch);
        Assert.Empty(plain.TakeLossTerms());

        // Binarization alone gives the pruners no gradient (test above); the regulariser's soft fraction gives one.
        using var model = BuildAdaSparse(schema, ("form", "binarization"), ("sparsity_lambda", "0.5"), ("sparsity_target", "0.25"));
        model.train();
        model.forward(batch);
        var term = Assert.Single(model.TakeLossTerms());
        Assert.Equal("sparsity", term.Name);
        // Its value is λ·Σ_l |r_l − 0.25| with the exact fractions r_l ∈ [0, 1] of three pruned layers.
        double value = term.Value.item<float>();
        Assert.InRange(value, 0, 0.5 * 3 * 0.75 + 1e-6);
        model.zero_grad();
        term.Value.backward();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.StartsWith("pruners.")))
            Assert.True(p.grad is not null && p.grad.ne(0).any().item<bool>(), name);

        model.eval();
        using (no_grad()) model.forward(batch);
        Assert.Empty(model.TakeLossTerms());
    }

    [Fact]
    public void Sparsity_value_is_the_exact_fraction_of_sub_threshold_factors()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        using var data = TestData.Random(schema, 64);
        // ε just below β puts every factor β·σ(αv) < ε unless αv > logit((β−δ)/β): nearly all factors count as pruned.
        // With target 0 and λ 1 the term is Σ_l r_l, between 0 and the number of pruned layers (1 input + 1 hidden).
        using var model = BuildAdaSparse(schema, ("hidden_dims", "[8]"), ("epsilon", "1.999999"), ("sparsity_lambda", "1"), ("sparsity_target", "0"));
        model.train();
        model.forward(Batch(data, 64));
        Assert.Equal(2.0, Assert.Single(model.TakeLossTerms()).Value.item<float>(), 1e-6);
    }

    [Fact]
    public void Movielens_total_matches_appendix_A_and_paper_table_4()
    {
        // 211,616 sparse tables + 48 scenario table (3×16) + 18,657 = 230,321 (Table 4: 230.32K). Dense age is not an input.
        using var model = Build(Name, TestData.MovieLens());
        Assert.Equal(230_321, model.ParameterCount);
    }

    [Theory]
    [InlineData(Presets.MovieLens, 18_657)]
    [InlineData(Presets.KuaiRand, 373_953)]
    [InlineData(Presets.AliCcp, 364_337)]
    [InlineData(Presets.Amazon, 7_393)]
    [InlineData(Presets.Douban, 12_001)]
    [InlineData(Presets.Mind, 47_297)]
    public void Non_embedding_counts_match_appendix_A(string preset, long expected)
    {
        using var model = Build(Name, TestData.BenchmarkShape(preset), preset);
        Assert.Equal(expected, NonEmbeddingParameters(model));
    }

    [Fact]
    public void On_aliccp_the_scenario_column_301_is_left_out_of_the_sparse_input()
    {
        // Scenario-input feature set (spec §3.3): 22 sparse fields without 301 (D_a = 352) plus the scenario embedding.
        var schema = TestData.BenchmarkShape(Presets.AliCcp);
        using var ali = Build(Name, schema, Presets.AliCcp);
        var pruner0 = ali.named_parameters().Single(p => p.name == "pruners.0.weight").parameter;
        Assert.Equal([352L, 368L], pruner0.shape);
        // Asked to keep it, the pruner grows by one field.
        using var kept = Build(Name, schema, Presets.AliCcp, options: [("exclude_features", "[]")]);
        Assert.Equal([368L, 384L], kept.named_parameters().Single(p => p.name == "pruners.0.weight").parameter.shape);
    }

    [Fact]
    public void A_dataset_without_the_excluded_feature_is_an_error_naming_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => Build(Name, TestData.Shaped([5, 6], 0, 3), Presets.AliCcp));
        Assert.Contains("exclude_features", e.Message);
        Assert.Contains("'301'", e.Message);
        Assert.Contains("f0, f1", e.Message);
    }

    [Fact]
    public void An_epsilon_no_factor_can_reach_is_an_error()
    {
        var schema = TestData.Shaped([5, 6], 0, 3);
        Assert.Contains("'beta'", Assert.Throws<ArgumentException>(() => Build(Name, schema, options: [("epsilon", "2")])).Message);
        Assert.Contains("binarization", Assert.Throws<ArgumentException>(() =>
            Build(Name, schema, options: [("epsilon", "1"), ("form", "binarization")])).Message);
    }

    [Fact]
    public void Learns_above_a_constant_predictor()
    {
        var (test, constant) = LearningCheck.Fit(Name);
        Assert.True(test.Auc > 0.65, $"test AUC {test.Auc}");
        Assert.True(test.LogLoss < constant, $"test log loss {test.LogLoss} vs constant {constant}");
    }
}
