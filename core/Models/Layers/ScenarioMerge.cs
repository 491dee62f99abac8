using static TorchSharp.torch;

namespace Msr.Core.Models.Layers;

/// <summary>
/// The reference's "compute-all then mask-merge" routing (spec §1.6): every scenario branch runs on
/// the whole batch (so BatchNorm inside a branch sees all rows, as in the reference) and each row
/// keeps the output of its own scenario's branch. Rows with an out-of-range id stay 0.
/// </summary>
public static class ScenarioMerge
{
    /// <param name="perScenario">Output of branch s for every row, each (B, k) or (B).</param>
    /// <param name="scenario">(B) int64 scenario ids.</param>
    public static Tensor MaskMerge(IReadOnlyList<Tensor> perScenario, Tensor scenario)
    {
        var merged = zeros_like(perScenario[0]);
        var ids = perScenario[0].dim() == 2 ? scenario.unsqueeze(1) : scenario;
        for (int s = 0; s < perScenario.Count; s++)
            merged = where(ids.eq(s), perScenario[s], merged);
        return merged;
    }
}
