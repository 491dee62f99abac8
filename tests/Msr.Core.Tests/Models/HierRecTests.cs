using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class HierRecTests
{
    static ScenarioModel Build(DatasetSchema schema, params (string Key, string Value)[] options) =>
        ModelTestKit.Build("HierRec", schema, Presets.MovieLens, seed: 5, options);

    [Fact]
    public void Movielens_parameters_follow_the_official_layout()
    {
        // Six common fields and one dense value (MovieLens), S = 3, d = 16, G = 4, the official widths.
        long tables = 211_616 + 3 * 16;
        long global = (6 * 16 + 1) * 64 + 64 + 2 * 64;                                  // Linear + BatchNorm
        long Generated(long condition) => (condition * 64 * 16 + 64 * 16) + (condition * 16 + 16)   // 64 → 16
                                        + (condition * 16 * 64 + 16 * 64) + (condition * 64 + 64);  // 16 → 64
        long selectors = 4 * (4 * 6 + 6);                                                 // per head: 4 → F
        long attention = 3 * 16 * 16 + 3 * 16 + 16 * 16 + 16;                            // in-projection, out-projection
        long output = (4 * 64 * 64 + 64 + 2 * 64) + (64 * 64 + 64 + 2 * 64) + (64 + 1);
        using var model = Build(TestData.MovieLens());
        Assert.Equal(tables + global + Generated(16) + selectors + attention + Generated(6 * 16) + output, model.ParameterCount);
    }

    [Fact]
    public void Forward_gives_one_probability_per_row_that_depends_on_the_scenario()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 2, 3);
        using var data = TestData.Random(schema, 40);
        using var model = Build(schema);
        model.eval();
        var batch = Batch(data, 40);
        var p = model.forward(batch);
        Assert.Equal([40L], p.shape);
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>());
        // The scenario generates the explicit layers and selects the fields of every head: another scenario, another prediction.
        var other = batch with { Scenario = (batch.Scenario + 1).remainder(3) };
        Assert.True((p - model.forward(other)).abs().max().item<float>() > 1e-4);
    }

    [Fact]
    public void Every_parameter_learns_from_one_training_step()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 2, 3);
        using var data = TestData.Random(schema, 64);
        using var model = Build(schema);
        model.train();
        var batch = Batch(data, 64);
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        Assert.All(model.named_parameters(), p =>
            Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{p.name} got no gradient"));
    }

    [Fact]
    public void Tables_start_xavier_uniform_and_training_stops_on_validation_logloss()
    {
        using var model = Build(TestData.MovieLens());
        var table = model.named_parameters().Single(p => p.name.StartsWith("embedding.")).parameter;
        double bound = Math.Sqrt(6.0 / (table.shape[0] + table.shape[1]));
        Assert.True(table.abs().max().item<float>() <= bound);
        Assert.InRange(table.std().item<float>(), 0.9 * bound / Math.Sqrt(3), 1.1 * bound / Math.Sqrt(3));
        Assert.Equal(StopMetric.LogLoss, model.PreferredStopMetric);
    }

    [Fact]
    public void Without_explicit_layers_the_heads_read_the_global_representation_and_implicit_layers_are_required()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 6], 2, 3);
        using var data = TestData.Random(schema, 16);
        using var model = Build(schema, ("explicit_dims", "[]"));
        model.eval();
        Assert.Equal([16L], model.forward(Batch(data, 16)).shape);
        var e = Assert.Throws<ArgumentException>(() => Build(schema, ("implicit_dims", "[]")));
        Assert.Contains("implicit_dims", e.Message);
    }

    [Fact]
    public void Contracting_the_shared_input_first_gives_the_generated_layers_output()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var layers = new HierRec.GeneratedLayers(conditionWidth: 24, inputWidth: 8, [5, 7], "layers");
        var x = randn(6, 8);
        var condition = randn(6, 3, 24);                                  // three heads share each row's input
        var generated = layers.Apply(x.view(6, 1, 1, 8), condition);     // a matrix generated per head
        var contracted = layers.ApplyShared(x, condition);
        Assert.Equal([6L, 3L, 1L, 7L], contracted.shape);
        Assert.True(allclose(generated, contracted, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Heads_must_divide_the_scenario_width()
    {
        var e = Assert.Throws<ArgumentException>(() => Build(TestData.MovieLens(), ("heads", "3")));
        Assert.Contains("heads = 3", e.Message);
        Assert.Contains("1, 2, 4, 8, 16", e.Message);
    }
}
