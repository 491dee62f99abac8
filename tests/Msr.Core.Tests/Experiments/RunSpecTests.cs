using Msr.Core.Experiments;
using Xunit;

namespace Msr.Core.Tests.Experiments;

public sealed class RunSpecTests
{
    static RunSpec Base() => new("synthetic", null,
        new Dictionary<string, string> { ["rows"] = "3000", ["scenario_skew"] = "0.6" },
        "SharedBottom",
        new Dictionary<string, string> { ["bottom_dims"] = "[128]", ["tower_dims"] = "[8]" },
        new Dictionary<string, string> { ["epochs"] = "2", ["lr"] = "0.001" },
        2022);

    [Fact]
    public void Is_stable_and_readable()
    {
        Assert.Equal(Base().RunId, Base().RunId);
        Assert.Matches("^synthetic-sharedbottom-s2022-[0-9a-f]{12}$", Base().RunId);
    }

    [Fact]
    public void Ignores_option_order_key_case_and_name_case()
    {
        var reordered = new RunSpec("Synthetic", null,
            new Dictionary<string, string> { ["Scenario_Skew"] = "0.6", ["ROWS"] = "3000" },
            "sharedbottom",
            new Dictionary<string, string> { ["tower_dims"] = "[8]", ["Bottom_Dims"] = "[128]" },
            new Dictionary<string, string> { ["LR"] = "0.001", ["epochs"] = "2" },
            2022);
        Assert.Equal(Base().RunId, reordered.RunId);
    }

    [Fact]
    public void Treats_dash_and_underscore_in_keys_alike_as_settings_do()
    {
        // Settings reads "scenario-skew" as "scenario_skew", so the run is the same and must get the same id,
        // also when the other spelling sorts differently relative to another key ('-' < '0' < '_').
        var a = Base() with { DatasetOptions = new Dictionary<string, string> { ["a-b"] = "1", ["a0"] = "2" } };
        var b = Base() with { DatasetOptions = new Dictionary<string, string> { ["a_b"] = "1", ["a0"] = "2" } };
        Assert.Equal(a.RunId, b.RunId);
    }

    public static TheoryData<string, RunSpec> Variants => new()
    {
        { "dataset", Base() with { Dataset = "other" } },
        { "path", Base() with { DatasetPath = "/tmp/some/where" } },
        { "dataset option value", Base() with { DatasetOptions = new Dictionary<string, string> { ["rows"] = "3001", ["scenario_skew"] = "0.6" } } },
        { "dataset option added", Base() with { DatasetOptions = new Dictionary<string, string> { ["rows"] = "3000", ["scenario_skew"] = "0.6", ["users"] = "10" } } },
        { "model", Base() with { Model = "MMoE" } },
        { "model option", Base() with { ModelOptions = new Dictionary<string, string> { ["bottom_dims"] = "[64]", ["tower_dims"] = "[8]" } } },
        { "trainer option", Base() with { TrainerOptions = new Dictionary<string, string> { ["epochs"] = "3", ["lr"] = "0.001" } } },
        { "option moved between groups", Base() with { ModelOptions = new Dictionary<string, string> { ["bottom_dims"] = "[128]", ["tower_dims"] = "[8]", ["epochs"] = "2" },
            TrainerOptions = new Dictionary<string, string> { ["lr"] = "0.001" } } },
        { "seed", Base() with { Seed = 2023 } },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Differs_when_any_input_differs(string what, RunSpec variant)
    {
        Assert.True(Base().RunId != variant.RunId, $"changing the {what} kept the run id");
    }
}
