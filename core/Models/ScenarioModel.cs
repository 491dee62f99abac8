using Msr.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Models;

/// <summary>What a model is built for: the dataset schema and the per-dataset hyper-parameter preset.</summary>
/// <param name="Schema">Features and scenarios of the dataset.</param>
/// <param name="Preset">Column of the spec's hyper-parameter tables: movielens, kuairand, aliccp, amazon, douban or mind.</param>
public sealed record ModelContext(DatasetSchema Schema, string Preset = "movielens")
{
    public int ScenarioCount => Schema.ScenarioCount;

    /// <summary>Picks the preset's value from a per-dataset table (falls back to the MovieLens column).</summary>
    public T ForPreset<T>(IReadOnlyDictionary<string, T> table) =>
        table.TryGetValue(Preset, out var v) ? v : table["movielens"];
}

/// <summary>
/// A multi-scenario CTR model: maps a batch to click probabilities of shape (B) in (0, 1).
/// Every model applies the sigmoid itself (spec §1.5).
/// </summary>
public abstract class ScenarioModel : nn.Module<ScenarioBatch, Tensor>
{
    protected ScenarioModel(string name) : base(name) { }

    /// <summary>Number of elements of all registered parameters (embeddings included, buffers excluded).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());
}
