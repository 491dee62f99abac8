using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Msr.Core.Models.Layers;

/// <summary>
/// An optimiser that updates embedding tables row by row (<c>embedding_updates=lazy</c>). While one is attached to a
/// <see cref="FeatureEmbedding"/>, the layer's lookups of the tables it <see cref="Owns"/> go through it, so a backward
/// pass yields gradients for the looked-up rows only, never a dense gradient of the whole table.
/// </summary>
public interface IEmbeddingRowUpdates
{
    /// <summary>Whether this optimiser updates <paramref name="table"/> (tables it does not own are looked up as usual).</summary>
    bool Owns(Parameter table);

    /// <summary>
    /// The rows <paramref name="rows"/> (1-D int64) of <paramref name="table"/>, shape (N, d), as a tensor whose gradient
    /// the optimiser reads after the backward pass; no gradient flows into <paramref name="table"/> itself.
    /// </summary>
    Tensor Lookup(Parameter table, Tensor rows);
}
