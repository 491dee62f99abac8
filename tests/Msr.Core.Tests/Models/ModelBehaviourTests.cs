using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Xunit;
using static Msr.Core.Tests.Models.ModelTestKit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class ModelBehaviourTests
{
    public static TheoryData<string> AllModels => [.. ModelRegistry.All.Select(e => e.Name)];


    [Theory]
    [MemberData(nameof(AllModels))]
    public void Output_is_a_probability_vector_of_batch_length(string name)
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 2, 3, userAndItem: true);
        using var data = TestData.Random(schema, 64);
        using var model = Build(name, schema);

        model.train();
        var p = model.forward(Batch(data, 0, 64));
        Assert.Equal([64L], p.shape);
        Assert.True(p.gt(0).logical_and(p.lt(1)).all().item<bool>(), $"{name}: training output outside (0,1)");

        model.eval();
        using (no_grad())
        {
            var q = model.forward(Batch(data, 0, 17));
            Assert.Equal([17L], q.shape);
            Assert.True(q.gt(0).logical_and(q.lt(1)).all().item<bool>(), $"{name}: eval output outside (0,1)");
            var one = model.forward(Batch(data, 5, 1));
            Assert.Equal([1L], one.shape);
            double v = one.item<float>();
            Assert.True(v > 0 && v < 1 && double.IsFinite(v), $"{name}: eval output for one row is {v}");
        }
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Gradients_reach_the_embedding_tables(string name)
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3, userAndItem: true);   // the third field: SACN's attribute history
        using var data = TestData.Random(schema, 32);
        using var model = Build(name, schema);
        model.train();
        var batch = Batch(data, 0, 32);
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        // PPNet (reference form) reads its agnostic tables, the scenario table included, only under stop-gradient:
        // by design (spec §4.11) they get no gradient, and PpNetTests checks that they stay frozen.
        bool FrozenByDesign(string parameter) => name == "PPNet" && parameter.StartsWith("agnostic_embedding.");
        var embeddingGrads = model.named_parameters().Where(p => p.name.Contains("embedding") && !FrozenByDesign(p.name)).ToList();
        Assert.NotEmpty(embeddingGrads);
        Assert.All(embeddingGrads, p => Assert.True(p.parameter.grad is not null && p.parameter.grad.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void SharedBottom_tower_s_only_affects_rows_of_scenario_s()
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3);
        using var data = TestData.Random(schema, 200);
        using var model = Build("SharedBottom", schema);
        model.eval();
        using var _ = no_grad();
        var batch = Batch(data, 0, 200);
        var before = model.forward(batch).clone();

        var towerParams = model.named_parameters().Where(p => p.name.StartsWith("towers.1.")).ToList();
        Assert.NotEmpty(towerParams);
        foreach (var (_, p) in towerParams) p.add_(0.5);
        var after = model.forward(batch);

        var inScenario = batch.Scenario.eq(1);
        var changed = before.ne(after);
        Assert.False(changed.masked_select(inScenario.logical_not()).any().item<bool>(), "a row outside scenario 1 changed");
        Assert.True(changed.masked_select(inScenario).all().item<bool>(), "every scenario-1 row should change");
        Assert.True(inScenario.sum().item<long>() > 10);
    }

    [Fact]
    public void MaskMerge_picks_each_rows_scenario_and_zero_for_unknown_ids()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5 });
        var b = tensor(new float[] { 10, 20, 30, 40, 50 });
        var c = tensor(new float[] { 100, 200, 300, 400, 500 });
        var ids = tensor(new long[] { 2, 0, 1, 3, -1 });
        var merged = ScenarioMerge.MaskMerge([a, b, c], ids).data<float>().ToArray();
        Assert.Equal([100f, 2f, 30f, 0f, 0f], merged);

        // (B, k) outputs: the whole row follows its scenario.
        var a2 = a.unsqueeze(1).repeat(1, 2);
        var b2 = b.unsqueeze(1).repeat(1, 2);
        var merged2 = ScenarioMerge.MaskMerge([a2, b2], tensor(new long[] { 1, 0, 1, 5, 0 }));
        Assert.Equal([5L, 2L], merged2.shape);
        Assert.Equal([10f, 10f, 2f, 2f, 30f, 30f, 0f, 0f, 5f, 5f], merged2.data<float>().ToArray());
    }

    [Fact]
    public void Unknown_model_name_is_an_error_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("NoSuchNet", new ModelContext(TestData.MovieLens()), new Settings()));
        Assert.Contains("NoSuchNet", e.Message);
        Assert.Contains("SharedBottom", e.Message);
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Unknown_option_is_an_error_naming_it(string name)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ModelRegistry.Create(name, new ModelContext(TestData.Shaped([5, 5], 1, 2)), new Settings([new("tower_dimz", "[4]")])));
        Assert.Contains("tower_dimz", e.Message);
    }

    [Fact]
    public void Bad_option_value_names_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ModelRegistry.Create("SharedBottom", new ModelContext(TestData.Shaped([5, 5], 1, 2)), new Settings([new("bottom_dims", "[12,x]")])));
        Assert.Contains("bottom_dims", e.Message);
    }

    [Theory]
    [InlineData("sharedbottom", "SharedBottom")]
    [InlineData("SHAREDBOTTOM", "SharedBottom")]
    [InlineData("mmoe", "MMoE")]
    [InlineData("star", "STAR")]
    [InlineData("basednn", "BaseDNN")]
    public void Registry_is_case_insensitive(string asked, string canonical)
    {
        Assert.Equal(canonical, ModelRegistry.Get(asked).Name);
        using var m = ModelRegistry.Create(asked, new ModelContext(TestData.Shaped([5, 5], 1, 2)), new Settings());
        Assert.True(m.ParameterCount > 0);
    }

    [Fact]
    public void Options_change_the_architecture()
    {
        var schema = TestData.Shaped([5, 5], 0, 2);
        using var small = Build("SharedBottom", schema, options: [("bottom_dims", "[4]"), ("tower_dims", "[2]")]);
        // Embeddings 10·16, bottom (32+1)·4 + 2·4, two towers of (4+1)·2 + 2·2 + (2+1).
        Assert.Equal(10 * 16 + 33 * 4 + 8 + 2 * (5 * 2 + 4 + 3), small.ParameterCount);
    }
}
