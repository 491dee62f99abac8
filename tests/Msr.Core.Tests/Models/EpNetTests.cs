using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class EpNetTests
{
    static ScenarioModel Build(DatasetSchema schema, string preset = Presets.MovieLens, params (string Key, string Value)[] options) =>
        ModelTestKit.Build("EPNet", schema, preset, seed: 5, options);

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void Forward_gives_one_probability_per_row_with_either_head(string linearHead)
    {
        using var scope = NewDisposeScope();
        var schema = TestData.MovieLens();
        using var data = TestData.Random(schema, 40);
        using var model = Build(schema, options: ("linear_head", linearHead));
        model.train();
        var p = model.forward(Batch(data, 40));
        Assert.Equal([40L], p.shape);
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>());
    }

    [Fact]
    public void Gate_sees_the_agnostic_input_under_stop_gradient_so_its_tables_learn_only_through_a_times_g()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 2, 3);
        using var data = TestData.Random(schema, 64);
        using var model = Build(schema);
        model.train();
        var batch = Batch(data, 64);
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        var modelGrads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.clone());
        // Every parameter learns: the agnostic tables (through a ⊙ g), the scenario table and the gate (through g), the head.
        Assert.All(modelGrads, g => Assert.True(g.Value is not null && g.Value.abs().sum().item<float>() > 0, g.Key));

        // The agnostic tables' gradient is exactly the one with the gate held constant...
        var tables = Child<FeatureEmbedding>(model, "embedding");
        var prior = Child<FeatureEmbedding>(model, "scenario_embedding");
        var gate = Child<GateNu>(model, "gate");
        var head = Child<nn.Module<Tensor, Tensor>>(model, "head");
        Tensor TableGrad(bool gradientThroughGate)
        {
            model.zero_grad();
            var a = tables.forward(batch);
            var g = gate.forward(cat([prior.forward(batch), gradientThroughGate ? a : a.detach()], 1));
            var p = sigmoid(head.forward(a * (gradientThroughGate ? g : g.detach()))).squeeze(1);
            nn.functional.binary_cross_entropy(p, batch.Label).backward();
            return tables.parameters().First().grad!.clone();
        }
        var viaProductOnly = TableGrad(gradientThroughGate: false);
        var modelTableGrad = modelGrads["embedding.tables.0.weight"]!;
        Assert.True(Identical(viaProductOnly, modelTableGrad), "agnostic tables got a gradient through the gate's input");
        // ...and differs from the one a gate without stop-gradient would give (the check can tell them apart).
        Assert.False(TableGrad(gradientThroughGate: true).allclose(modelTableGrad, rtol: 1e-4, atol: 0));
    }

    public static TheoryData<string, long, long> AppendixA => new()
    {
        // Spec Appendix A.1, non-embedding: (REF linear head, intended MLP head).
        { Presets.MovieLens, 20_662, 43_925 },
        { Presets.KuaiRand, 542_317, 618_793 },
        { Presets.AliCcp, 266_041, 403_009 },
        { Presets.Amazon, 2_657, 17_665 },
        { Presets.Douban, 9_409, 28_481 },
        { Presets.Mind, 5_521, 22_561 },
    };

    [Theory]
    [MemberData(nameof(AppendixA))]
    public void Non_embedding_parameters_match_appendix_A(string preset, long linearHead, long mlpHead)
    {
        var schema = TestData.BenchmarkShape(preset);
        foreach (var (option, expected) in new[] { ("true", linearHead), ("false", mlpHead) })
        {
            using var model = Build(schema, preset, ("linear_head", option));
            // EPNet owns every sparse table but Ali-CCP's 301 (spec §3.8: 22 sp + 8 de = 360) and the scenario table.
            Assert.Equal(OwnedTables(schema, f => !(preset == Presets.AliCcp && f == "301")), EmbeddingParameters(model));
            Assert.Equal(expected, model.ParameterCount - EmbeddingParameters(model));
        }
    }

    [Fact]
    public void MovieLens_total_matches_table_4()
    {
        // 211,616 sparse + 48 scenario + 20,662 = 232,326 (P-BENCH Table 4: 232.33 K, the linear-head model).
        using var model = Build(TestData.MovieLens());
        Assert.Equal(232_326, model.ParameterCount);
    }

    [Fact]
    public void On_aliccp_the_scenario_column_301_is_left_out_of_the_agnostic_input()
    {
        var schema = TestData.BenchmarkShape(Presets.AliCcp);
        using var model = Build(schema, Presets.AliCcp);
        var fields = Child<FeatureEmbedding>(model, "embedding").FieldNames;
        Assert.Equal(22, fields.Count);
        Assert.DoesNotContain("301", fields);
        Assert.Equal(360, Child<FeatureEmbedding>(model, "embedding").OutputDim);
        using var kept = Build(schema, Presets.AliCcp, ("exclude_features", "[]"));
        Assert.Equal(376, Child<FeatureEmbedding>(kept, "embedding").OutputDim);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void Learns_above_a_constant_predictor_on_synthetic_data(string linearHead)
    {
        var (test, constant) = LearningCheck.Fit("EPNet", ("linear_head", linearHead));
        Assert.True(test.Auc > 0.65, $"test AUC {test.Auc}");
        Assert.True(test.LogLoss < constant, $"test logloss {test.LogLoss} vs constant {constant}");
    }
}
