namespace Msr.Core.Training;

/// <summary>The validation metric early stopping watches.</summary>
public enum StopMetric
{
    /// <summary>Overall validation AUC, higher is better (the reference).</summary>
    Auc,
    /// <summary>Overall validation logloss, lower is better (HierRec's own protocol).</summary>
    LogLoss,
}

/// <summary>
/// The reference stop rule (spec §2.6): monitor validation AUC (higher is better, best starts at 0);
/// an improvement resets the counter and is snapshotted; after <c>patience</c> consecutive
/// non-improving epochs, stop and restore the best snapshot. With <see cref="StopMetric.LogLoss"/>
/// the same rule watches logloss, lower being better (best starts at +∞).
/// </summary>
public sealed class EarlyStopping(int patience, StopMetric metric = StopMetric.Auc)
{
    int _stale;

    public StopMetric Metric { get; } = metric;
    public double Best { get; private set; } = metric == StopMetric.Auc ? 0 : double.PositiveInfinity;
    public int BestEpoch { get; private set; }

    /// <summary>Non-improving epochs since the best one.</summary>
    public int StaleEpochs => _stale;

    /// <summary>Puts the rule back where an epoch checkpoint left it (<see cref="EpochCheckpoint"/>).</summary>
    public void Resume(double best, int bestEpoch, int staleEpochs)
    {
        Best = best;
        BestEpoch = bestEpoch;
        _stale = staleEpochs;
    }

    /// <summary>Feeds one epoch's validation value of the watched metric (null when undefined).</summary>
    /// <returns>Whether this epoch is the new best (the caller snapshots) and whether to stop now.</returns>
    public (bool Improved, bool Stop) Observe(int epoch, double? value)
    {
        if (value is { } v && (Metric == StopMetric.Auc ? v > Best : v < Best))
        {
            Best = v;
            BestEpoch = epoch;
            _stale = 0;
            return (true, false);
        }
        _stale++;
        return (false, _stale >= patience);
    }
}
