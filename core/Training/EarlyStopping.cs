namespace Msr.Core.Training;

/// <summary>
/// The reference stop rule (spec §2.6): monitor validation AUC (higher is better, best starts at 0);
/// an improvement resets the counter and is snapshotted; after <c>patience</c> consecutive
/// non-improving epochs, stop and restore the best snapshot.
/// </summary>
public sealed class EarlyStopping(int patience)
{
    int _stale;

    public double Best { get; private set; }
    public int BestEpoch { get; private set; }

    /// <summary>Feeds one epoch's validation AUC.</summary>
    /// <returns>Whether this epoch is the new best (the caller snapshots) and whether to stop now.</returns>
    public (bool Improved, bool Stop) Observe(int epoch, double? validationAuc)
    {
        if (validationAuc is { } auc && auc > Best)
        {
            Best = auc;
            BestEpoch = epoch;
            _stale = 0;
            return (true, false);
        }
        _stale++;
        return (false, _stale >= patience);
    }
}
