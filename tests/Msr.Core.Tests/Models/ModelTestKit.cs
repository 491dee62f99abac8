using Msr.Core.Data;
using Msr.Core.Data.Synthetic;
using Msr.Core.Models;
using Msr.Core.Training;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

/// <summary>Small helpers the per-model test files share: building, batches, counts, a tiny fit.</summary>
internal static class ModelTestKit
{
    public static ScenarioModel Build(string name, DatasetSchema schema, long seed = 1, string preset = Presets.MovieLens, params (string Key, string Value)[] options)
    {
        manual_seed(seed);
        return ModelRegistry.Create(name, new ModelContext(schema, preset), new Settings(options.Select(o => KeyValuePair.Create(o.Key, o.Value))));
    }

    public static ScenarioBatch Batch(ScenarioDataset data, long from, long count) => data.Gather(arange(from, from + count, dtype: ScalarType.Int64));

    /// <summary>Parameters outside the embedding layer (spec Appendix A.1 counts these).</summary>
    public static long NonEmbeddingCount(ScenarioModel model) =>
        model.named_parameters().Where(p => !p.name.StartsWith("embedding.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());

    /// <summary>Ali-CCP's shape (23 sparse fields, one of them the scenario field <c>301</c>, 8 dense, S = 3).</summary>
    public static DatasetSchema AliCcpShaped()
    {
        var features = Enumerable.Range(0, 23).Select(j => FeatureSpec.Sparse(j == 18 ? "301" : $"f{j}", 5 + j))
            .Concat(Enumerable.Range(0, 8).Select(j => FeatureSpec.Dense($"d{j}")));
        return new DatasetSchema([.. features], ["s0", "s1", "s2"]);
    }

    /// <summary>A schema shaped like a benchmark dataset's default feature set (spec §3.8), with small vocabularies.</summary>
    public static DatasetSchema BenchmarkShape(string preset) => preset switch
    {
        Presets.MovieLens => TestData.MovieLens(),
        Presets.KuaiRand => TestData.Shaped([.. Enumerable.Range(0, 32).Select(j => 5 + j)], 4, 5),
        Presets.AliCcp => AliCcpShaped(),
        Presets.Amazon => TestData.Shaped([5, 6], 0, 3),
        Presets.Douban => TestData.Shaped([5, 6, 7, 8], 0, 3),
        Presets.Mind => TestData.Shaped([5, 6, 7], 0, 4),
        _ => throw new ArgumentException($"no benchmark shape for preset '{preset}'"),
    };

    /// <summary>A tiny fit on synthetic data; returns the test AUC (a constant predictor scores 0.5).</summary>
    /// <remarks>Few users and items, so 2,000 rows show each id often enough for its embedding to learn within 3 epochs.</remarks>
    public static double SyntheticTestAuc(string name, params (string Key, string Value)[] options)
    {
        using var data = SyntheticDataset.Generate(new SyntheticOptions(Rows: 2000, Users: 100, Items: 60, Seed: 2022));
        using var split = DatasetSplit.Random(data.Count, 5);
        using var model = Build(name, data.Schema, 5, Presets.MovieLens, options);
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 3, BatchSize: 128, LearningRate: 0.01, Patience: 3), 5);
        return Trainer.Evaluate(model, data, split.Test, 512).Overall.Auc!.Value;
    }

    /// <summary>The values of a parameter or buffer, copied.</summary>
    public static float[] Values(Tensor t) => t.detach().cpu().data<float>().ToArray();
}
