using Msr.Core.Data;
using Msr.Core.Data.AliCcp;
using Msr.Core.Data.Synthetic;
using Msr.Core.Models;
using Msr.Core.Training;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

/// <summary>Shared pieces of the per-model tests: building by name, benchmark-shaped schemas, counts and a short fit.</summary>
internal static class ModelFixtures
{
    public static ScenarioModel Build(string name, DatasetSchema schema, string preset = Presets.MovieLens, long seed = 1, params (string Key, string Value)[] options)
    {
        manual_seed(seed);
        return ModelRegistry.Create(name, new ModelContext(schema, preset), new Settings(options.Select(o => KeyValuePair.Create(o.Key, o.Value))));
    }

    /// <summary>
    /// A schema shaped like a benchmark dataset (spec §3): its sparse fields (small vocabularies; only the widths matter
    /// once the embedding tables are subtracted), dense fields and scenario count. Ali-CCP's fields carry their real
    /// names, so that a model's feature list can name the scenario column <c>301</c>.
    /// </summary>
    public static DatasetSchema BenchmarkShape(string preset) => preset switch
    {
        Presets.MovieLens => TestData.MovieLens(),
        Presets.KuaiRand => TestData.Shaped([.. Enumerable.Range(0, 32).Select(j => 5 + j)], 4, 5),
        Presets.AliCcp => new DatasetSchema(
            [.. AliCcpLoader.SparseColumns.Select(c => FeatureSpec.Sparse(c, 7)), .. AliCcpLoader.DenseColumns.Select(c => FeatureSpec.Dense(c))],
            ["301=1", "301=2", "301=3"]),
        Presets.Amazon => TestData.Shaped([5, 6], 0, 3),
        Presets.Douban => TestData.Shaped([5, 6, 7, 8], 0, 3),
        Presets.Mind => TestData.Shaped([5, 6, 7], 0, 4),
        _ => throw new ArgumentException(preset),
    };

    /// <summary>Parameters outside the embedding layer (its sparse tables and its scenario table), as spec Appendix A.1 counts them.</summary>
    public static long NonEmbeddingParameters(ScenarioModel model) =>
        model.named_parameters().Where(p => !p.name.StartsWith("embedding.", StringComparison.Ordinal)).Sum(p => p.parameter.numel());

    /// <summary>Named parameters whose gradient after one training step on <paramref name="batch"/> is missing or all zero.</summary>
    public static List<string> ParametersWithoutGradient(ScenarioModel model, ScenarioBatch batch)
    {
        model.train();
        model.zero_grad();
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        return [.. model.named_parameters().Where(p => p.parameter.grad is null || !p.parameter.grad.ne(0).any().item<bool>()).Select(p => p.name)];
    }

    /// <summary>
    /// Test AUC and log loss after three epochs on 2,000 synthetic rows with a learnable signal (20 users and 20 items,
    /// so that ids recur often enough to be learnt in a few epochs), and the log loss of the constant predictor that
    /// always says the test split's positive rate (its AUC is 0.5).
    /// </summary>
    public static (double Auc, double LogLoss, double ConstantLogLoss) FitBriefly(string model, params (string Key, string Value)[] options)
    {
        using var data = SyntheticDataset.Generate(new SyntheticOptions(Rows: 2000, Users: 20, Items: 20, Seed: 5));
        using var split = DatasetSplit.Random(data.Count, 5);
        using var m = Build(model, data.Schema, seed: 5, options: options);
        Trainer.Fit(m, data, split, new TrainerOptions(Epochs: 3, BatchSize: 64, Patience: 5), seed: 5);
        var test = Trainer.Evaluate(m, data, split.Test, 256).Overall;
        double p = test.PositiveRate!.Value;
        return (test.Auc!.Value, test.LogLoss!.Value, -(p * Math.Log(p) + (1 - p) * Math.Log(1 - p)));
    }
}
