using System.Text.RegularExpressions;
using Msr.Core.Data;
using Msr.Core.Data.Synthetic;
using Msr.Core.Metrics;
using Msr.Core.Models;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

/// <summary>
/// What the per-model tests share for building and inspecting a model: build by name, gather batches, count
/// parameters the way spec Appendix A does, find parameters a step leaves without gradient, reach submodules.
/// Schemas and datasets come from <see cref="TestData"/>; short trainings from <see cref="LearningCheck"/>.
/// </summary>
internal static class ModelTestKit
{
    /// <summary>The registered model <paramref name="name"/>, built right after <c>manual_seed(seed)</c>.</summary>
    public static ScenarioModel Build(string name, DatasetSchema schema, string preset = Presets.MovieLens, long seed = 1,
        params (string Key, string Value)[] options)
    {
        manual_seed(seed);
        return ModelRegistry.Create(name, new ModelContext(schema, preset), new Settings(options.Select(o => KeyValuePair.Create(o.Key, o.Value))));
    }

    /// <summary>The first <paramref name="count"/> rows.</summary>
    public static ScenarioBatch Batch(ScenarioDataset data, long count) => Batch(data, 0, count);

    /// <summary>Rows <paramref name="from"/> .. <paramref name="from"/> + <paramref name="count"/> − 1.</summary>
    public static ScenarioBatch Batch(ScenarioDataset data, long from, long count) => data.Gather(arange(from, from + count, dtype: ScalarType.Int64));

    /// <summary>Elements of the embedding tables: every parameter of a layer whose name says embedding (the sparse and scenario tables).</summary>
    public static long EmbeddingParameters(ScenarioModel model) =>
        model.named_parameters().Where(p => p.name.Contains("embedding")).Sum(p => p.parameter.numel());

    /// <summary>Parameters outside the embedding tables, as spec Appendix A.1 counts them.</summary>
    public static long NonEmbeddingParameters(ScenarioModel model) => model.ParameterCount - EmbeddingParameters(model);

    /// <summary>Rows × width of the tables of the sparse features <paramref name="owned"/> accepts, plus the S×16 scenario table.</summary>
    public static long OwnedTables(DatasetSchema schema, Func<string, bool> owned) =>
        schema.SparseFeatures.Where(f => owned(f.Name)).Sum(f => (long)f.Vocabulary * f.EmbeddingDim) + schema.ScenarioCount * 16L;

    /// <summary>Named parameters whose gradient after one training step on <paramref name="batch"/> is missing or all zero.</summary>
    public static List<string> ParametersWithoutGradient(ScenarioModel model, ScenarioBatch batch)
    {
        model.train();
        model.zero_grad();
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        return [.. model.named_parameters().Where(p => p.parameter.grad is null || !p.parameter.grad.ne(0).any().item<bool>()).Select(p => p.name)];
    }

    /// <summary>
    /// After a backward pass: every parameter has a non-zero gradient except the biases of MlpBlock Linear layers that a
    /// BatchNorm follows (its mean subtraction cancels them, as in the reference) and those ending in <paramref name="alsoCancelled"/>.
    /// </summary>
    public static void AssertGradients(ScenarioModel model, params string[] alsoCancelled)
    {
        var cancelled = new Regex(@"\.layers\.linear\d+\.bias$");
        var checkedParameters = model.named_parameters()
            .Where(p => !cancelled.IsMatch(p.name) && !alsoCancelled.Any(a => p.name.EndsWith(a))).ToList();
        Assert.True(checkedParameters.Count > 10);
        Assert.All(checkedParameters, p => Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{p.name} has no gradient"));
    }

    /// <summary>
    /// Tables of the layer named <c>embedding</c> drawn N(0, 1), so that rows differ visibly (the reference's N(0, 1e-4)
    /// start barely separates them): routing moves, attention mixes, batch statistics differ.
    /// </summary>
    public static void SpreadEmbeddings(ScenarioModel model)
    {
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("embedding.", StringComparison.Ordinal)) p.normal_(0, 1);
    }

    /// <summary>A direct submodule of a model by its field name (the saved weight prefix).</summary>
    public static T Child<T>(ScenarioModel model, string name) where T : class =>
        model.named_children().Single(c => c.name == name).module as T
        ?? throw new InvalidOperationException($"child '{name}' is not a {typeof(T).Name}");

    /// <summary>A copy of every parameter, by name.</summary>
    public static Dictionary<string, Tensor> Snapshot(ScenarioModel model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    /// <summary>The values of a parameter or buffer, copied.</summary>
    public static float[] Values(Tensor t) => t.detach().cpu().data<float>().ToArray();

    /// <summary>Same shape and the same values bit for bit.</summary>
    public static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}

/// <summary>Short trainings on synthetic data with a learnable signal, and the constant predictor a model must beat.</summary>
internal static class LearningCheck
{
    /// <summary>
    /// 4,000 synthetic rows over 40 users and 30 items: each id is seen often enough for its embedding to carry
    /// the generator's user and item effects within a few epochs (the default 2,000 users would be seen about once each).
    /// </summary>
    public static ScenarioDataset Data() => SyntheticDataset.Generate(new SyntheticOptions(Rows: 4000, Users: 40, Items: 30, Seed: 11));

    /// <summary>2,000 rows with a strong, noise-free signal and few users and items, for models that learn slowly at this size.</summary>
    public static ScenarioDataset StrongSignal() => SyntheticDataset.Generate(
        new SyntheticOptions(Rows: 2000, Users: 60, Items: 40, SharedSignal: 2.0, ScenarioSignal: 1.0, LabelNoise: 0));

    /// <summary>Three epochs of 25 steps on <see cref="Data"/> (lr 1e-2 so that a tiny run gets somewhere).</summary>
    public static readonly TrainerOptions Brief = new(Epochs: 3, BatchSize: 128, LearningRate: 1e-2, Patience: 5);

    /// <summary>Builds <paramref name="model"/> (seed 5), fits it briefly on <see cref="Data"/> (split seed 4) and evaluates it.</summary>
    public static (MetricSet Test, double ConstantLogLoss) Fit(string model, params (string Key, string Value)[] options)
    {
        using var data = Data();
        using var split = DatasetSplit.Random(data.Count, 4);
        using var m = ModelTestKit.Build(model, data.Schema, seed: 5, options: options);
        return FitAndEvaluate(m, data, split);
    }

    /// <summary>Fits (training seed 4, <see cref="Brief"/> unless given), then the test split's overall metrics and the constant predictor's logloss.</summary>
    public static (MetricSet Test, double ConstantLogLoss) FitAndEvaluate(ScenarioModel model, ScenarioDataset data, DatasetSplit split,
        TrainerOptions? trainer = null)
    {
        Trainer.Fit(model, data, split, trainer ?? Brief, seed: 4);
        return (Trainer.Evaluate(model, data, split.Test, 512).Overall, ConstantLogLoss(data, split));
    }

    /// <summary>Test logloss of the best constant predictor a model could know: the training positive rate.</summary>
    static double ConstantLogLoss(ScenarioDataset data, DatasetSplit split)
    {
        double rate = data.Label.index_select(0, split.Train).mean().item<float>();
        var y = data.Label.index_select(0, split.Test).data<float>().ToArray();
        return y.Average(v => -(v * Math.Log(rate) + (1 - v) * Math.Log(1 - rate)));
    }
}
