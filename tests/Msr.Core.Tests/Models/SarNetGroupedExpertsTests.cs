using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using static Msr.Core.Tests.Models.ModelTestKit;

namespace Msr.Core.Tests.Models;

/// <summary>
/// SAR-Net runs its debias experts grouped (one normalisation and one matrix product per shared input, see
/// <see cref="DebiasExpertGroups"/>). These tests hold it to the one-expert-at-a-time path it replaced: each expert's
/// own BatchNorm1d then Linear, reimplemented here from the model's own submodules.
/// </summary>
public sealed class SarNetGroupedExpertsTests
{
    const string Name = "SAR-Net";
    // Float64 shows the grouping is exact algebra (observed gaps ~1e-13); float32 shows what training actually sees.
    // In float32 the largest gradient gap (~8e-6 of the largest element) is on scenario_shift.s: part of its gradient
    // comes through the specific experts' BatchNorm, whose mean subtraction cancels it to rounding noise, and the two
    // paths round that noise differently; the gradient tolerance leaves room for other CPUs' rounding.
    sealed record Tolerances(double Output, double Gradient, double Buffer);
    static Tolerances For(ScalarType dtype) => dtype == ScalarType.Float64 ? new(1e-9, 1e-9, 1e-9) : new(1e-5, 5e-5, 1e-6);

    // Biases of final-MLP Linear layers that a BatchNorm follows: their gradient is 0 up to rounding on both paths.
    static readonly System.Text.RegularExpressions.Regex Cancelled = new(@"^final_mlp\.layers\.linear\d+\.bias$");

    [Theory]
    [InlineData(ScalarType.Float64, 4)]
    [InlineData(ScalarType.Float32, 1)]
    public void Grouped_experts_match_each_experts_own_batchnorm_and_linear_through_training_and_evaluation(ScalarType dtype, int steps)
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 0, 3);
        using var data = TestData.Random(schema, 256);
        using var grouped = Build(Name, schema);
        SpreadEmbeddings(grouped);                              // batch statistics well above eps, so normalisation matters
        grouped.to(dtype);
        using var reference = Build(Name, schema);
        reference.to(dtype);
        reference.load_state_dict(grouped.state_dict());

        grouped.train();
        reference.train();
        for (int step = 0; step < steps; step++)
        {
            var batch = Batch(data, step * 64, 64);
            CompareStep(grouped, reference, batch, For(dtype), $"{dtype} training step {step}");
            SgdStep(grouped);
            SgdStep(reference);
            CompareBuffers(grouped, reference, For(dtype), $"{dtype} after training step {step}");
        }
        Assert.All(grouped.named_buffers().Where(b => b.name.EndsWith("num_batches_tracked")),
            b => Assert.Equal((long)steps, b.buffer.item<long>()));

        grouped.eval();
        reference.eval();
        CompareStep(grouped, reference, Batch(data, 0, 200), For(dtype), $"{dtype} evaluation");
    }

    [Fact]
    public void In_evaluation_each_expert_keeps_its_own_running_statistics()
    {
        // Experts of a group have identical running statistics in practice; the grouped path must not rely on it.
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 0, 3);
        using var data = TestData.Random(schema, 120);
        using var grouped = Build(Name, schema);
        SpreadEmbeddings(grouped);
        using (var _ = no_grad())
        {
            manual_seed(3);
            foreach (var (name, buffer) in grouped.named_buffers())
                if (name.EndsWith("running_mean")) buffer.add_(randn_like(buffer));
                else if (name.EndsWith("running_var")) buffer.mul_(rand_like(buffer) * 3 + 0.2);
        }
        using var reference = Build(Name, schema);
        reference.load_state_dict(grouped.state_dict());
        grouped.eval();
        reference.eval();
        CompareStep(grouped, reference, Batch(data, 120), For(ScalarType.Float32), "evaluation with per-expert running statistics");
    }

    [Fact]
    public void Training_on_a_single_row_is_refused_as_batchnorm_refuses_it()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20], 0, 3);
        using var data = TestData.Random(schema, 8);
        using var model = Build(Name, schema);
        model.train();
        var e = Assert.Throws<ArgumentException>(() => model.forward(Batch(data, 1)));
        Assert.Contains("at least 2 rows", e.Message);
    }

    /// <summary>Forward and backward on both models: same outputs, same gradient for every parameter.</summary>
    static void CompareStep(ScenarioModel grouped, ScenarioModel reference, ScenarioBatch batch, Tolerances tolerance, string when)
    {
        grouped.zero_grad();
        reference.zero_grad();
        var p = grouped.forward(batch);
        var q = OneExpertAtATime(reference, batch);
        AssertClose(p, q, tolerance.Output, $"{when}: predictions");
        nn.functional.binary_cross_entropy(p, batch.Label.to(p.dtype)).backward();
        nn.functional.binary_cross_entropy(q, batch.Label.to(q.dtype)).backward();
        var expected = reference.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        foreach (var (name, parameter) in grouped.named_parameters().Where(p => !Cancelled.IsMatch(p.name)))
        {
            var g = parameter.grad;
            var h = expected[name].grad;
            Assert.True(g is null == h is null, $"{when}: {name} has a gradient on one path only");
            if (g is not null && h is not null) AssertClose(g, h, tolerance.Gradient, $"{when}: gradient of {name}");
        }
    }

    static void CompareBuffers(ScenarioModel grouped, ScenarioModel reference, Tolerances tolerance, string when)
    {
        var expected = reference.named_buffers().ToDictionary(x => x.name, x => x.buffer);
        var buffers = grouped.named_buffers().ToList();
        Assert.Contains(buffers, b => b.name == "specific_experts.2.1.bn.running_var");
        foreach (var (name, buffer) in buffers)
            if (buffer.dtype == ScalarType.Int64) Assert.True(Identical(buffer, expected[name]), $"{when}: {name}");
            else
            {
                double gap = (buffer - expected[name]).abs().max().ToDouble();
                Assert.True(gap <= tolerance.Buffer, $"{when}: {name} differs by {gap}");
            }
    }

    /// <summary>Largest difference within <paramref name="tolerance"/> of the reference's largest magnitude.</summary>
    static void AssertClose(Tensor actual, Tensor expected, double tolerance, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double gap = (actual - expected).abs().max().ToDouble();
        double size = expected.abs().max().ToDouble();
        Assert.True(gap <= tolerance * size, $"{what}: differs by {gap} against a largest magnitude {size}");
    }

    static void SgdStep(ScenarioModel model)
    {
        using var _ = no_grad();
        foreach (var p in model.parameters())
            if (p.grad is { } g) p.sub_(g * 0.5);
    }

    /// <summary>SAR-Net's forward as it was before grouping: every expert's own BatchNorm1d and Linear, one after another.</summary>
    static Tensor OneExpertAtATime(ScenarioModel model, ScenarioBatch batch)
    {
        var embedding = Child<FeatureEmbedding>(model, "embedding");
        var scale = Child<ParameterList>(model, "scenario_scale");
        var shift = Child<ParameterList>(model, "scenario_shift");
        var shared = Child<ModuleList<DebiasExpert>>(model, "shared_experts");
        var specificExperts = Child<ModuleList<ModuleList<DebiasExpert>>>(model, "specific_experts");
        var gate = Child<GateBlock>(model, "gate");
        var finalMlp = Child<MlpBlock>(model, "final_mlp");

        var e = embedding.forward(batch);
        var transformed = new List<Tensor>();
        var specific = new List<Tensor>();
        for (int s = 0; s < scale.Count; s++)
        {
            var ts = e * scale[s] + shift[s];
            transformed.Add(ts);
            specific.Add(cat(specificExperts[s].Select(x => x.forward(ts)).ToList(), 1));
        }
        var t = ScenarioMerge.MaskMerge(transformed, batch.Scenario);
        var sharedOut = stack(shared.Select(x => x.forward(t)).ToList(), 1);
        var specificOut = ScenarioMerge.MaskMerge(specific, batch.Scenario).view(-1, specificExperts[0].Count, sharedOut.shape[2]);
        var candidates = cat([sharedOut, specificOut], 1);
        var mixed = (gate.forward(t).unsqueeze(2) * candidates).sum(1);
        return nn.functional.sigmoid(finalMlp.forward(mixed)).squeeze(1);
    }
}
