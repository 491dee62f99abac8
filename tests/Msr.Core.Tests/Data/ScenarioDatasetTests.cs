using Msr.Core.Data;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Data;

public sealed class ScenarioDatasetTests
{
    static readonly DatasetSchema Schema = new(
        [FeatureSpec.Sparse("user", 4), FeatureSpec.Dense("price"), FeatureSpec.Sparse("item", 3), FeatureSpec.Dense("age")],
        ["home", "search"], label: "click");

    // Two rows; sparse columns (user, item), dense columns (price, age).
    static ScenarioDataset Make(long[]? sparse = null, float[]? dense = null, long[]? scenario = null, float[]? label = null) =>
        ScenarioDataset.FromArrays("toy", Schema, sparse ?? [0, 2, 3, 1], dense ?? [0.5f, 0.1f, 0.2f, 0.9f], scenario ?? [0, 1], label ?? [1f, 0f]);

    [Fact]
    public void A_sparse_id_beyond_int32_is_refused_not_wrapped()
    {
        var e = Assert.Throws<InvalidDataException>(() => Make(sparse: [0, 2, 3, (long)int.MaxValue + 6]));
        Assert.Contains("int32", e.Message);
    }

    [Fact]
    public void On_its_own_device_the_dataset_is_used_as_it_is_and_placing_it_never_frees_it()
    {
        using var d = Make();
        Assert.Same(d, d.To(CPU));                 // no copy where the data already lives (the device is compared by value)
        using (var placed = d.OnDevice(new Device("cpu"))) Assert.Same(d, placed.Data);
        Assert.Equal(2, d.Count);                  // still usable after the placement is disposed
        using var scope = NewDisposeScope();
        Assert.Equal([1L, 1L], d.ScenarioCounts());
    }

    [Fact]
    public void Valid_data_loads_and_gathers_rows()
    {
        using var d = Make();
        Assert.Equal(2, d.Count);
        using var scope = NewDisposeScope();
        var b = d.Gather(tensor(new long[] { 1 }));
        Assert.Equal(ScalarType.Int32, d.Sparse.dtype); // held compactly
        Assert.Equal(ScalarType.Int64, b.Sparse.dtype); // widened per batch for the embeddings
        Assert.Equal([3L, 1L], b.Sparse.data<long>().ToArray());
        Assert.Equal([0.2f, 0.9f], b.Dense.data<float>().ToArray());
        Assert.Equal(1L, b.Scenario.item<long>());
        Assert.Equal(0f, b.Label.item<float>());
        Assert.Equal([1L, 1L], d.ScenarioCounts());
    }

    [Fact]
    public void Scenario_id_out_of_range_is_rejected_naming_the_scenarios()
    {
        var e = Assert.Throws<InvalidDataException>(() => Make(scenario: [0, 2]));
        Assert.Contains("scenario", e.Message);
        Assert.Contains("search", e.Message);
        Assert.Throws<InvalidDataException>(() => Make(scenario: [-1, 0]));
    }

    [Fact]
    public void Id_at_or_above_vocabulary_is_rejected_naming_the_feature()
    {
        var e = Assert.Throws<InvalidDataException>(() => Make(sparse: [0, 3, 1, 1]));
        Assert.Contains("'item'", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => Make(sparse: [4, 0, 1, 1]));
        Assert.Contains("'user'", e2.Message);
        var e3 = Assert.Throws<InvalidDataException>(() => Make(sparse: [0, 0, -1, 1]));
        Assert.Contains("'user'", e3.Message);
    }

    [Fact]
    public void Label_other_than_zero_or_one_is_rejected_naming_the_label()
    {
        var e = Assert.Throws<InvalidDataException>(() => Make(label: [1f, 2f]));
        Assert.Contains("'click'", e.Message);
        Assert.Throws<InvalidDataException>(() => Make(label: [0.5f, 0f]));
    }

    [Fact]
    public void NaN_or_infinite_dense_value_is_rejected_naming_the_feature()
    {
        var e = Assert.Throws<InvalidDataException>(() => Make(dense: [0.5f, float.NaN, 0.2f, 0.9f]));
        Assert.Contains("'age'", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => Make(dense: [0.5f, 0.1f, float.PositiveInfinity, 0.9f]));
        Assert.Contains("'price'", e2.Message);
    }

    [Fact]
    public void Validation_reaches_rows_past_its_first_chunk()
    {
        // Validation checks 2^20 rows at a time; a bad value in the last row of a longer dataset must still be found.
        const int n = (1 << 20) + 5;
        ScenarioDataset Big(Action<long[], float[], long[], float[]> spoil)
        {
            long[] sparse = new long[2 * n], scenario = new long[n];
            float[] dense = new float[2 * n], label = new float[n];
            spoil(sparse, dense, scenario, label);
            return ScenarioDataset.FromArrays("big", Schema, sparse, dense, scenario, label);
        }
        using (Big((_, _, _, _) => { })) { }
        Assert.Contains("'item'", Assert.Throws<InvalidDataException>(() => Big((s, _, _, _) => s[^1] = 3)).Message);
        Assert.Contains("'age'", Assert.Throws<InvalidDataException>(() => Big((_, d, _, _) => d[^1] = float.NaN)).Message);
        Assert.Contains("scenario id out of range", Assert.Throws<InvalidDataException>(() => Big((_, _, c, _) => c[^1] = 2)).Message);
        Assert.Contains("'click'", Assert.Throws<InvalidDataException>(() => Big((_, _, _, l) => l[^1] = 0.5f)).Message);
    }

    [Fact]
    public void Mismatched_array_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Make(sparse: [0, 1, 2]));
        Assert.Throws<ArgumentException>(() => Make(label: [1f]));
        Assert.Throws<ArgumentException>(() => Make(dense: [0.5f]));
    }

    [Fact]
    public void Schema_rejects_duplicate_features_and_empty_scenarios()
    {
        var e = Assert.Throws<ArgumentException>(() => new DatasetSchema([FeatureSpec.Sparse("a", 2), FeatureSpec.Dense("a")], ["s"]));
        Assert.Contains("'a'", e.Message);
        Assert.Throws<ArgumentException>(() => new DatasetSchema([FeatureSpec.Sparse("a", 2)], []));
        var e2 = Assert.Throws<ArgumentException>(() => new DatasetSchema([FeatureSpec.Sparse("z", 0)], ["s"]));
        Assert.Contains("'z'", e2.Message);
    }

    [Fact]
    public void Rejected_data_does_not_leak_tensors()
    {
        using (Make()) { }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.TotalCount;
        for (int i = 0; i < 3; i++)
        {
            Assert.Throws<InvalidDataException>(() => Make(label: [1f, 2f]));
            Assert.Throws<InvalidDataException>(() => Make(sparse: [0, 3, 1, 1]));
        }
        using (Make()) { }
        Assert.Equal(before, Tensor.TotalCount);
    }
}
