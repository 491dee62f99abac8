using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Models.Layers;

/// <summary>
/// The reference's "compute-all then mask-merge" routing (spec §1.6): every scenario branch runs on
/// the whole batch (so BatchNorm inside a branch sees all rows, as in the reference) and each row
/// keeps the output of its own scenario's branch. Rows with an out-of-range id stay 0.
/// </summary>
public static class ScenarioMerge
{
    /// <summary>
    /// One branch per scenario, each row keeping its own scenario's output. With <paramref name="everyRow"/> every
    /// branch runs on every row and the outputs are mask-merged, so a BatchNorm inside a branch normalises with the
    /// whole batch's statistics, as the reference's does (branches with batch statistics, in training). Otherwise a
    /// row's output depends on that row alone, so each branch runs on its own scenario's rows and the outputs are
    /// scattered back: the reference's predictions and gradients, up to float rounding (a product kernel may round a
    /// row differently at another row count: up to 2e-7 seen; <c>EveryModelContractTests</c> checks every model in
    /// both modes), at 1/S of the branches' cost. Under autograd a scenario without rows in the batch still runs its
    /// branch, on zero rows: its parameters then get zero gradients, as under the mask merge, not none (Adam steps a
    /// parameter with a zero gradient, through weight decay and momentum, and skips one without).
    /// On a GPU every branch runs on every row anyway: it costs little there, and picking rows is a host sync.
    /// </summary>
    /// <param name="scenarios">Number of branches.</param>
    /// <param name="scenario">(B) int64 scenario ids.</param>
    /// <param name="branch">Branch s on the rows that <c>rows</c> picks from each per-row input it reads (all rows, or
    /// scenario s's); returns (rows, k) or (rows).</param>
    public static Tensor Route(int scenarios, Tensor scenario, bool everyRow, Func<int, Func<Tensor, Tensor>, Tensor> branch)
    {
        if (everyRow || scenario.device_type != DeviceType.CPU)
            return MaskMerge([.. Enumerable.Range(0, scenarios).Select(s => branch(s, all => all))], scenario);
        Tensor? merged = null;
        bool anyRows = false;
        for (int s = 0; s < scenarios; s++)
        {
            var rows = nonzero(scenario.eq(s)).squeeze(1);
            anyRows |= rows.shape[0] > 0;
            if (rows.shape[0] == 0 && !is_grad_enabled()) continue;   // nothing to predict and no gradient to give
            var output = branch(s, input => input.index_select(0, rows));
            merged ??= zeros([scenario.shape[0], .. output.shape[1..]], output.dtype, output.device);
            merged.index_copy_(0, rows, output);
        }
        // No row belongs to any branch (out-of-range ids): every row stays 0, as in the mask merge.
        return anyRows ? merged! : MaskMerge([.. Enumerable.Range(0, scenarios).Select(s => branch(s, all => all))], scenario);
    }

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
