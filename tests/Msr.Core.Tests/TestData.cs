using Msr.Core.Data;
using Msr.Core.Data.Synthetic;
using Msr.Core.Experiments;

namespace Msr.Core.Tests;

/// <summary>Schemas shaped like the benchmark datasets and small random datasets over them.</summary>
internal static class TestData
{
    /// <summary>MovieLens-1M as in spec §3.1: six sparse fields, dense age, three scenarios.</summary>
    public static DatasetSchema MovieLens() => new(
        [
            FeatureSpec.Sparse("user_id", 6040), FeatureSpec.Sparse("movie_id", 3706), FeatureSpec.Sparse("gender", 2),
            FeatureSpec.Sparse("occupation", 21), FeatureSpec.Sparse("zip", 3439), FeatureSpec.Sparse("cate_id", 18),
            FeatureSpec.Dense("age"),
        ],
        ["s0", "s1", "s2"]);

    /// <summary>A schema of <paramref name="sparse"/> sparse fields (given vocabularies), <paramref name="dense"/> dense fields and S scenarios.</summary>
    public static DatasetSchema Shaped(int[] sparse, int dense, int scenarios)
    {
        var features = new List<FeatureSpec>();
        for (int j = 0; j < sparse.Length; j++) features.Add(FeatureSpec.Sparse($"f{j}", sparse[j]));
        for (int j = 0; j < dense; j++) features.Add(FeatureSpec.Dense($"d{j}"));
        return new DatasetSchema(features, [.. Enumerable.Range(0, scenarios).Select(s => $"s{s}")]);
    }

    /// <summary>
    /// Options a model needs on a <see cref="Shaped"/> schema (features f0, f1, ...) beyond the preset's defaults:
    /// PPNet's id features are named per dataset (user_id/movie_id for the movielens preset), so the generic
    /// tests name the first two sparse features as its ids.
    /// </summary>
    public static (string Key, string Value)[] ShapedModelOptions(string model) =>
        string.Equals(model, "PPNet", StringComparison.OrdinalIgnoreCase) ? [("id_features", "[f0,f1]")] : [];

    /// <summary>Uniformly random rows over a schema (ids in range, dense in [0,1), random labels), seeded.</summary>
    public static ScenarioDataset Random(DatasetSchema schema, int rows, int seed = 1, Func<int, float>? denseValue = null)
    {
        var rng = new Random(seed);
        int fs = schema.SparseFeatures.Count, fd = schema.DenseFeatures.Count;
        var sparse = new long[rows * fs];
        var dense = new float[rows * fd];
        var scenario = new long[rows];
        var label = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < fs; j++) sparse[i * fs + j] = rng.Next(schema.SparseFeatures[j].Vocabulary);
            for (int j = 0; j < fd; j++) dense[i * fd + j] = denseValue?.Invoke(i) ?? (float)rng.NextDouble();
            scenario[i] = rng.Next(schema.ScenarioCount);
            label[i] = rng.Next(2);
        }
        return ScenarioDataset.FromArrays("random", schema, sparse, dense, scenario, label);
    }

    public static ScenarioDataset Synthetic(int rows, long seed = 2022, double scenarioSignal = 1.2) =>
        SyntheticDataset.Generate(new SyntheticOptions(Rows: rows, Seed: seed, ScenarioSignal: scenarioSignal));

    public static LoadedDataset LoadSynthetic(params (string Key, string Value)[] options) =>
        LoadedDataset.Load("synthetic", null, options.ToDictionary(o => o.Key, o => o.Value));
}

internal static class ScenarioDatasetTestExtensions
{
    /// <summary>The sparse ids widened to int64 (the dataset holds them as int32), for reading them in assertions.</summary>
    public static TorchSharp.torch.Tensor SparseIds(this ScenarioDataset data) => data.Sparse.to_type(TorchSharp.torch.ScalarType.Int64);
}
