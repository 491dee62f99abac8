using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class DeepFmTests
{
    static ScenarioModel Build(DatasetSchema schema, long seed = 5) => ModelTestKit.Build("DeepFM", schema, Presets.MovieLens, seed);

    [Fact]
    public void The_fm_term_is_the_sum_of_inner_products_over_every_pair_of_fields()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var fields = randn(4, 5, 3, dtype: ScalarType.Float64);
        var pairs = zeros(4, dtype: ScalarType.Float64);
        for (int f = 0; f < 5; f++)
            for (int g = f + 1; g < 5; g++)
                pairs += (fields.select(1, f) * fields.select(1, g)).sum(1);
        Assert.True(allclose(pairs, DeepFm.PairwiseInteractions(fields), rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void Movielens_parameters_are_the_tables_the_first_order_weights_and_the_mlp()
    {
        // 16-wide tables for the six fields (211,616) and the scenario (3 × 16); 1-wide first-order tables for the same
        // seven fields (13,226 + 3); w₀; u over the one dense value; the MLP 113 → 256 → 128 → 64 → 1 with BatchNorm
        // (Linear (in+1)·out, BatchNorm 2·out), whose input is the seven 16-wide fields and the dense value.
        long mlp = (113 + 1) * 256 + 2 * 256 + (256 + 1) * 128 + 2 * 128 + (128 + 1) * 64 + 2 * 64 + (64 + 1) * 1;
        using var model = Build(TestData.MovieLens());
        Assert.Equal(211_616 + 3 * 16 + 13_226 + 3 + 1 + 1 + mlp, model.ParameterCount);
    }

    [Fact]
    public void The_prediction_adds_first_order_fm_and_deep_logits()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 2, 3);
        using var data = TestData.Random(schema, 48);
        using var model = Build(schema);
        model.eval();
        var batch = Batch(data, 48);
        var embedding = Child<FeatureEmbedding>(model, "embedding");
        var firstOrder = Child<FeatureEmbedding>(model, "first_order");
        var dense = Child<nn.Module<Tensor, Tensor>>(model, "dense_weights");
        var deep = Child<nn.Module<Tensor, Tensor>>(model, "deep");
        var bias = model.named_parameters().Single(p => p.name == "bias").parameter;
        var fields = embedding.Stacked(batch);
        Assert.Equal([48L, 4L, 16L], fields.shape);                                  // three sparse fields and the scenario
        Assert.Equal([48L, 4L], firstOrder.forward(batch).shape);                    // one weight per field
        var logit = bias + firstOrder.forward(batch).sum(1) + DeepFm.PairwiseInteractions(fields)
            + dense.forward(batch.Dense).squeeze(1) + deep.forward(cat([fields.flatten(1), batch.Dense], 1)).squeeze(1);
        Assert.True(allclose(sigmoid(logit), model.forward(batch), rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void The_scenario_is_an_ordinary_field_the_prediction_depends_on()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 0, 3);
        using var data = TestData.Random(schema, 32);
        using var model = Build(schema);
        // Larger scenario embeddings than the N(0, 1e-4) start, so that the scenario visibly moves the logit.
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains("scenario_table")))
                p.normal_(0, 0.5);
        model.eval();
        var batch = Batch(data, 32);
        var other = batch with { Scenario = (batch.Scenario + 1).remainder(3) };
        Assert.True((model.forward(batch) - model.forward(other)).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void A_schema_whose_fields_differ_in_width_is_refused_with_the_widths()
    {
        var schema = new DatasetSchema([FeatureSpec.Sparse("a", 5), FeatureSpec.Sparse("b", 5) with { EmbeddingDim = 8 }], ["s0", "s1"]);
        var e = Assert.Throws<ArgumentException>(() => Build(schema));
        Assert.Contains("DeepFM", e.Message);
        Assert.Contains("8", e.Message);
    }
}
