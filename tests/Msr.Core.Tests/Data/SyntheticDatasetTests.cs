using Msr.Core.Data;
using Msr.Core.Data.Synthetic;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Data;

public sealed class SyntheticDatasetTests
{
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Same_options_give_identical_tensors()
    {
        var o = new SyntheticOptions(Rows: 3000, Seed: 5);
        using var a = SyntheticDataset.Generate(o);
        using var b = SyntheticDataset.Generate(o);
        Assert.True(Same(a.Sparse, b.Sparse));
        Assert.True(Same(a.Dense, b.Dense));
        Assert.True(Same(a.Scenario, b.Scenario));
        Assert.True(Same(a.Label, b.Label));
    }

    [Fact]
    public void Different_data_seed_gives_different_data()
    {
        using var a = DatasetRegistry.Load("synthetic", options: new Settings([new("rows", "3000"), new("data_seed", "1")]));
        using var b = DatasetRegistry.Load("synthetic", options: new Settings([new("rows", "3000"), new("data_seed", "2")]));
        Assert.False(Same(a.Sparse, b.Sparse));
        Assert.False(Same(a.Label, b.Label));
        Assert.False(Same(a.Scenario, b.Scenario));
    }

    [Fact]
    public void Does_not_depend_on_the_global_torch_seed()
    {
        var o = new SyntheticOptions(Rows: 1000, Seed: 5);
        manual_seed(1);
        using var a = SyntheticDataset.Generate(o);
        manual_seed(2);
        using var b = SyntheticDataset.Generate(o);
        Assert.True(Same(a.Label, b.Label));
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(1.5)]
    [InlineData(0.0)]
    public void Scenario_sizes_follow_the_skew(double skew)
    {
        int rows = 40_000, s = 4;
        using var d = SyntheticDataset.Generate(new SyntheticOptions(Rows: rows, Scenarios: s, ScenarioSkew: skew, Seed: 3));
        var counts = d.ScenarioCounts();
        double norm = Enumerable.Range(1, s).Sum(k => Math.Pow(k, -skew));
        for (int k = 0; k < s; k++)
        {
            double expected = rows * Math.Pow(k + 1, -skew) / norm;
            // Binomial standard deviation < 100 here; allow 5σ.
            Assert.InRange(counts[k], expected - 500, expected + 500);
        }
    }

    [Fact]
    public void Schema_and_value_ranges_follow_the_options()
    {
        var o = new SyntheticOptions(Rows: 2000, Scenarios: 5, Users: 50, Items: 40, ExtraFields: 3, FieldCardinality: 6, DenseFeatures: 3, Seed: 9);
        using var d = SyntheticDataset.Generate(o);
        Assert.Equal(5, d.Schema.ScenarioCount);
        Assert.Equal(["user_id", "item_id", "user_attr1", "item_attr1", "user_attr2"], d.Schema.SparseFeatures.Select(f => f.Name));
        Assert.Equal(3, d.Schema.DenseFeatures.Count);
        Assert.Equal([2000L, 5L], d.Sparse.shape);
        Assert.Equal([2000L, 3L], d.Dense.shape);
        double rate = d.Label.mean().item<float>();
        Assert.InRange(rate, 0.15, 0.85);
    }

    [Fact]
    public void Unknown_loader_option_is_reported()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("synthetic", options: new Settings([new("rowz", "10")])));
        Assert.Contains("rowz", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("nosuchdata"));
        Assert.Contains("nosuchdata", e2.Message);
    }

    [Fact]
    public void Registry_is_case_insensitive_and_records_resolved_options_with_defaults()
    {
        Assert.Equal("synthetic", DatasetRegistry.Get("SYNTHETIC").Name);
        using var loaded = Msr.Core.Experiments.LoadedDataset.Load("Synthetic", null, new Dictionary<string, string> { ["Rows"] = "500" });
        Assert.Equal(500, loaded.Data.Count);
        Assert.Equal("500", loaded.ResolvedOptions["rows"]);
        Assert.Equal("2022", loaded.ResolvedOptions["data_seed"]);
        Assert.Equal("1.2", loaded.ResolvedOptions["scenario_signal"]);
        Assert.Equal("synthetic", loaded.Loader.Name);
    }
}
