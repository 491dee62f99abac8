using Msr.Core.Data;
using static TorchSharp.torch;

namespace Msr.Core.Training;

/// <summary>One finished optimiser step of the training pass, as a model's <c>OnTrainStepEnd</c> sees it.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">0-based batch within the epoch.</param>
/// <param name="Step">0-based step over the whole run.</param>
public sealed record TrainStep(int Epoch, int Batch, long Step);

/// <summary>
/// What a model's <c>OnEpochEnd</c> may use after an epoch's training pass: the training rows, a
/// deterministic way to draw a training batch, and the task loss. Tensors it returns belong to the
/// caller's dispose scope.
/// </summary>
public sealed class EpochContext
{
    readonly ScenarioDataset _data;
    readonly Tensor _trainRows;
    readonly Generator _generator;

    internal EpochContext(int epoch, ScenarioDataset data, Tensor trainRows, int batchSize, Generator generator)
    {
        Epoch = epoch;
        _data = data;
        _trainRows = trainRows;
        BatchSize = batchSize;
        _generator = generator;
    }

    public int Epoch { get; }
    public int BatchSize { get; }

    /// <summary>
    /// A batch of <see cref="BatchSize"/> training rows (fewer if the training set is smaller), drawn without
    /// replacement from the run's shuffling generator: the same seed draws the same rows.
    /// </summary>
    public ScenarioBatch DrawTrainingBatch()
    {
        long n = _trainRows.shape[0];
        var order = randperm(n, generator: _generator);
        var picked = _trainRows.index_select(0, order.narrow(0, 0, Math.Min(n, BatchSize)).to(_trainRows.device));
        return _data.Gather(picked);
    }

    /// <summary>The task loss the trainer uses (mean BCE on probabilities, spec §1.5).</summary>
    public static Tensor TaskLoss(Tensor probability, Tensor label) => nn.functional.binary_cross_entropy(probability, label);
}
