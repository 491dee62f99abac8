using Msr.Core.Data;
using Msr.Core.Models;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class SfpNetTests
{
    static ScenarioModel Build(DatasetSchema schema, params (string Key, string Value)[] options) =>
        ModelTestKit.Build("SFPNet", schema, Presets.MovieLens, seed: 5, options);

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
}
