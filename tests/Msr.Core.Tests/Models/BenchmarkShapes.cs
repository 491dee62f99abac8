using Msr.Core.Data;
using Msr.Core.Data.AliCcp;
using Msr.Core.Data.Douban;
using Msr.Core.Data.KuaiRand;
using Msr.Core.Data.Mind;
using Msr.Core.Data.Synthetic;
using Msr.Core.Metrics;
using Msr.Core.Models;
using Msr.Core.Training;
using TorchSharp.Modules;

namespace Msr.Core.Tests.Models;

/// <summary>
/// Schemas with the benchmark datasets' feature names as Msr's loaders give them (spec §3), small vocabularies
/// and the real scenario counts: models that pick features by name (PPNet's ids, Ali-CCP's <c>301</c>) build on them.
/// </summary>
internal static class BenchmarkShapes
{
    /// <summary>The schema shaped like the preset's dataset; MovieLens has its real vocabularies (spec §3.1).</summary>
    public static DatasetSchema For(string preset) => preset switch
    {
        Presets.MovieLens => TestData.MovieLens(),
        Presets.KuaiRand => Named(KuaiRandLoader.SparseColumns, KuaiRandLoader.DenseColumns, 5),
        Presets.AliCcp => Named(AliCcpLoader.SparseColumns, AliCcpLoader.DenseColumns, 3),
        Presets.Amazon => Named(["user", "item"], [], 3),
        Presets.Douban => Named(DoubanLoader.SparseColumns, [], 3),
        Presets.Mind => Named(MindLoader.SparseColumns, [], 4),
        _ => throw new ArgumentException($"no shape for preset '{preset}'"),
    };

    static DatasetSchema Named(IReadOnlyList<string> sparse, IReadOnlyList<string> dense, int scenarios) => new(
        [.. sparse.Select((name, j) => FeatureSpec.Sparse(name, 5 + j)), .. dense.Select(FeatureSpec.Dense)],
        [.. Enumerable.Range(0, scenarios).Select(s => $"s{s}")]);

    /// <summary>Elements of the parameters whose name says they are embedding tables.</summary>
    public static long EmbeddingParameters(ScenarioModel model) =>
        model.named_parameters().Where(p => p.name.Contains("embedding")).Sum(p => p.parameter.numel());

    /// <summary>Rows × 16 of the tables of the named sparse features plus the S×16 scenario table.</summary>
    public static long OwnedTables(DatasetSchema schema, Func<string, bool> owned) =>
        schema.SparseFeatures.Where(f => owned(f.Name)).Sum(f => (long)f.Vocabulary * f.EmbeddingDim) + schema.ScenarioCount * 16L;

    /// <summary>A direct submodule of a model by its field name (the saved weight prefix).</summary>
    public static T Child<T>(ScenarioModel model, string name) where T : class =>
        model.named_children().Single(c => c.name == name).module as T
        ?? throw new InvalidOperationException($"child '{name}' is not a {typeof(T).Name}");

    /// <summary>A copy of every parameter, by name.</summary>
    public static Dictionary<string, TorchSharp.torch.Tensor> Snapshot(ScenarioModel model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
}

/// <summary>A small training run on synthetic data and the constant predictor it must beat.</summary>
internal static class LearningCheck
{
    /// <summary>
    /// 4,000 synthetic rows over 40 users and 30 items: each id is seen often enough for its embedding to carry
    /// the generator's user and item effects within a few epochs (the default 2,000 users would be seen about once each).
    /// </summary>
    public static ScenarioDataset Data() => SyntheticDataset.Generate(new SyntheticOptions(Rows: 4000, Users: 40, Items: 30, Seed: 11));

    /// <summary>Three epochs of 25 steps (lr 1e-2 so that a tiny run gets somewhere), then the test split's overall metrics and the constant predictor's logloss.</summary>
    public static (MetricSet Test, double ConstantLogLoss) FitAndEvaluate(ScenarioModel model, ScenarioDataset data, DatasetSplit split)
    {
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 3, BatchSize: 128, LearningRate: 1e-2, Patience: 5), seed: 4);
        return (Trainer.Evaluate(model, data, split.Test, 512).Overall, ConstantLogLoss(data, split));
    }

    /// <summary>Test logloss of the best constant predictor: the training positive rate.</summary>
    static double ConstantLogLoss(ScenarioDataset data, DatasetSplit split)
    {
        double rate = data.Label.index_select(0, split.Train).mean().item<float>();
        var y = data.Label.index_select(0, split.Test).data<float>().ToArray();
        return y.Average(v => -(v * Math.Log(rate) + (1 - v) * Math.Log(1 - rate)));
    }

    /// <summary>Same shape and the same values bit for bit.</summary>
    public static bool Identical(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
