using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>
/// One mini-batch as the models see it: rows gathered from a <see cref="ScenarioDataset"/> by index.
/// Tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Sparse">(B, F_sparse) int64 ids, columns in schema order.</param>
/// <param name="Dense">(B, F_dense) float32 values, columns in schema order (F_dense may be 0).</param>
/// <param name="Scenario">(B) int64 scenario ids in [0, S).</param>
/// <param name="Label">(B) float32 click labels in {0, 1}.</param>
/// <param name="Sequences">(B, L) int64 ids per sequence feature, keyed by feature name.</param>
public sealed record ScenarioBatch(
    Tensor Sparse,
    Tensor Dense,
    Tensor Scenario,
    Tensor Label,
    IReadOnlyDictionary<string, Tensor> Sequences)
{
    public long Size => Scenario.shape[0];
}
