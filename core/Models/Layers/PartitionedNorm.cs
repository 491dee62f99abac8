using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>
/// STAR's partitioned normalisation as the paper describes it (spec §4.4 [PAPER]): in training, each row is
/// normalised with the batch statistics of its own scenario's rows, and each scenario keeps running averages
/// (momentum 0.1, unbiased variance, as BatchNorm); in evaluation the running averages are used, so a row's
/// output does not depend on the rest of its batch. A scenario with fewer than 2 rows in a training batch
/// has no usable variance: its rows use the running averages and its averages are not updated.
/// </summary>
public sealed class PartitionedNorm : Module<Tensor, Tensor, Tensor>
{
    readonly int _scenarios;
    readonly double _momentum;
    readonly double _epsilon;

    public PartitionedNorm(int width, int scenarios, double momentum = 0.1, double epsilon = 1e-5, string name = "partitioned_norm") : base(name)
    {
        _scenarios = scenarios;
        _momentum = momentum;
        _epsilon = epsilon;
        register_buffer("running_mean", zeros(scenarios, width));
        register_buffer("running_var", ones(scenarios, width));
    }

    /// <param name="input">(B, D) values.</param>
    /// <param name="scenario">(B) int64 scenario ids.</param>
    /// <returns>(B, D) values normalised per scenario (no affine part: the model owns it).</returns>
    public override Tensor forward(Tensor input, Tensor scenario)
    {
        var runningMean = get_buffer("running_mean")!;
        var runningVar = get_buffer("running_var")!;
        Tensor mean = runningMean, variance = runningVar;
        if (training)
        {
            var counts = scenario.bincount(null, _scenarios).to_type(input.dtype).unsqueeze(1);   // (S, 1)
            var batchMean = zeros_like(runningMean).index_add(0, scenario, input, 1) / counts.clamp_min(1);
            var centred = input - batchMean.index_select(0, scenario);
            var squares = zeros_like(runningMean).index_add(0, scenario, centred * centred, 1);
            var enough = counts.ge(2);                                                           // (S, 1)
            mean = where(enough, batchMean, runningMean);
            variance = where(enough, squares / counts.clamp_min(1), runningVar);
            using (no_grad())
            {
                var unbiased = squares / (counts - 1).clamp_min(1);
                runningMean.copy_(where(enough, runningMean * (1 - _momentum) + batchMean * _momentum, runningMean));
                runningVar.copy_(where(enough, runningVar * (1 - _momentum) + unbiased * _momentum, runningVar));
            }
        }
        return (input - mean.index_select(0, scenario)) / sqrt(variance.index_select(0, scenario) + _epsilon);
    }
}
