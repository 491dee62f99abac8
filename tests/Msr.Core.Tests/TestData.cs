using Msr.Core.Data;
using Msr.Core.Data.AliCcp;
using Msr.Core.Data.Douban;
using Msr.Core.Data.KuaiRand;
using Msr.Core.Data.Mind;
using Msr.Core.Data.Synthetic;
using Msr.Core.Experiments;
using Msr.Core.Models;

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

    /// <summary>
    /// A schema of <paramref name="sparse"/> sparse fields (given vocabularies) named f0, f1, ..., <paramref name="dense"/>
    /// dense fields d0, ... and S scenarios. With <paramref name="userAndItem"/> the first two sparse fields are named
    /// user_id and item_id instead, so that a model that picks its user and item columns by name (PPNet) finds them,
    /// and the schema carries histories as the loaders' <c>history=4,history_attributes=f2</c> give them (<c>hist_item_id</c>,
    /// and <c>hist_f2</c> when there is a third field), so that the sequence models (SACN) build on it too.
    /// </summary>
    public static DatasetSchema Shaped(int[] sparse, int dense, int scenarios, bool userAndItem = false)
    {
        string SparseName(int j) => userAndItem && j < 2 ? (j == 0 ? "user_id" : "item_id") : $"f{j}";
        var features = new List<FeatureSpec>();
        for (int j = 0; j < sparse.Length; j++) features.Add(FeatureSpec.Sparse(SparseName(j), sparse[j]));
        for (int j = 0; j < dense; j++) features.Add(FeatureSpec.Dense($"d{j}"));
        if (userAndItem && sparse.Length >= 2) features.Add(FeatureSpec.Sequence("hist_item_id", sparse[1] + 1, HistoryLength));
        if (userAndItem && sparse.Length >= 3) features.Add(FeatureSpec.Sequence("hist_f2", sparse[2] + 1, HistoryLength));
        return new DatasetSchema(features, [.. Enumerable.Range(0, scenarios).Select(s => $"s{s}")]);
    }

    /// <summary>
    /// A schema with a benchmark dataset's feature names as Msr's loaders give them (spec §3), small vocabularies and the
    /// real scenario counts, so that models that pick features by name (PPNet's ids, Ali-CCP's <c>301</c>) build on it and
    /// non-embedding parameter counts (which depend only on widths) match spec Appendix A. MovieLens has its real
    /// vocabularies (spec §3.1).
    /// </summary>
    public static DatasetSchema BenchmarkShape(string preset) => preset switch
    {
        Presets.MovieLens => MovieLens(),
        Presets.KuaiRand => Named(KuaiRandLoader.SparseColumns, KuaiRandLoader.DenseColumns, 5),
        Presets.AliCcp => Named(AliCcpLoader.SparseColumns, AliCcpLoader.DenseColumns, 3),
        Presets.Amazon => Named(["user", "item"], [], 3),
        Presets.Douban => Named(DoubanLoader.SparseColumns, [], 3),
        Presets.Mind => Named(MindLoader.SparseColumns, [], 4),
        _ => throw new ArgumentException($"no benchmark shape for preset '{preset}'"),
    };

    static DatasetSchema Named(IReadOnlyList<string> sparse, IReadOnlyList<string> dense, int scenarios) => new(
        [.. sparse.Select((name, j) => FeatureSpec.Sparse(name, 5 + j)), .. dense.Select(FeatureSpec.Dense)],
        [.. Enumerable.Range(0, scenarios).Select(s => $"s{s}")]);

    /// <summary>Length of the histories of <see cref="Shaped"/>.</summary>
    public const int HistoryLength = 4;

    /// <summary>
    /// Uniformly random rows over a schema (ids in range, dense in [0,1), random labels), seeded. Sequence features get
    /// random right-aligned histories, one length per row shared by all of them (padding coincides, as the loaders'
    /// aligned histories do), drawn from a generator of their own so that the other columns do not depend on them.
    /// </summary>
    public static ScenarioDataset Random(DatasetSchema schema, int rows, int seed = 1, Func<int, float>? denseValue = null)
    {
        var sequences = RandomHistories(schema, rows, seed);
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
        return ScenarioDataset.FromArrays("random", schema, sparse, dense, scenario, label, sequences);
    }

    static Dictionary<string, long[]> RandomHistories(DatasetSchema schema, int rows, int seed)
    {
        var rng = new Random(seed + 7919);
        var result = schema.SequenceFeatures.ToDictionary(f => f.Name, f => new long[rows * f.SequenceLength]);
        if (result.Count == 0) return result;
        int length = schema.SequenceFeatures[0].SequenceLength;
        for (int i = 0; i < rows; i++)
        {
            int filled = rng.Next(length + 1);
            foreach (var f in schema.SequenceFeatures)
                for (int j = length - filled; j < length; j++) result[f.Name][i * length + j] = 1 + rng.Next(f.Vocabulary - 1);
        }
        return result;
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
