namespace Msr.Core.Training;

/// <summary>One finished epoch.</summary>
/// <param name="TrainSeconds">Wall time of the training pass alone (what the paper's Table 4 "Train" reports).</param>
/// <param name="ValidationSeconds">Wall time of the validation pass.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? ValidationAuc, double? ValidationLogLoss,
    double TrainSeconds, double ValidationSeconds, double LearningRate, long TrainRows);

/// <summary>Why training ended.</summary>
public enum StopReason { EarlyStopping, EpochBudget }

/// <summary>What <see cref="Trainer.Fit"/> did.</summary>
public sealed record TrainingHistory(IReadOnlyList<EpochRecord> Epochs, int BestEpoch, StopReason Stop, bool RestoredBest)
{
    /// <summary>Epochs restored from an epoch checkpoint instead of trained by this call (0: none).</summary>
    public int ResumedAfterEpoch { get; init; }

    public double TrainSecondsPerEpoch => Epochs.Count == 0 ? 0 : Epochs.Average(e => e.TrainSeconds);
    public double TrainSamplesPerSecond => Epochs.Sum(e => e.TrainSeconds) is var t and > 0 ? Epochs.Sum(e => (double)e.TrainRows) / t : 0;
}

/// <summary>Raised when the training loss becomes NaN or infinite: the run is recorded as failed.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, double loss)
    : Exception($"training diverged at epoch {epoch}, batch {batch}: loss is {loss}")
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
}
