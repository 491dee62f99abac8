using Msr.Core.Training;
using Xunit;

namespace Msr.Core.Tests.Training;

public sealed class EarlyStoppingTests
{
    /// <summary>Feeds a sequence and returns the epoch at which it says stop (null if never) and the best epoch.</summary>
    static (int? StopEpoch, int BestEpoch, double Best, List<int> Improved) Run(int patience, params double?[] aucs)
    {
        var rule = new EarlyStopping(patience);
        var improved = new List<int>();
        for (int e = 1; e <= aucs.Length; e++)
        {
            var (better, stop) = rule.Observe(e, aucs[e - 1]);
            if (better) improved.Add(e);
            if (stop) return (e, rule.BestEpoch, rule.Best, improved);
        }
        return (null, rule.BestEpoch, rule.Best, improved);
    }

    [Fact]
    public void Patience_one_stops_at_the_first_non_improving_epoch()
    {
        var r = Run(1, 0.60, 0.65, 0.64, 0.70);
        Assert.Equal(3, r.StopEpoch);
        Assert.Equal(2, r.BestEpoch);
        Assert.Equal(0.65, r.Best);
        Assert.Equal([1, 2], r.Improved);
    }

    [Fact]
    public void Equal_auc_is_not_an_improvement()
    {
        var r = Run(1, 0.60, 0.60);
        Assert.Equal(2, r.StopEpoch);
        Assert.Equal(1, r.BestEpoch);
    }

    [Fact]
    public void Patience_counts_consecutive_stale_epochs_and_resets_on_improvement()
    {
        // Stale at 3, improvement at 4 resets, stale 5 and 6 → stop at 6.
        var r = Run(2, 0.60, 0.65, 0.64, 0.66, 0.66, 0.50, 0.99);
        Assert.Equal(6, r.StopEpoch);
        Assert.Equal(4, r.BestEpoch);
        Assert.Equal([1, 2, 4], r.Improved);
    }

    [Fact]
    public void Monotone_improvement_never_stops()
    {
        var r = Run(1, 0.51, 0.52, 0.53, 0.54, 0.55);
        Assert.Null(r.StopEpoch);
        Assert.Equal(5, r.BestEpoch);
    }

    [Fact]
    public void Undefined_auc_counts_as_no_improvement()
    {
        var r = Run(2, 0.6, null, null);
        Assert.Equal(3, r.StopEpoch);
        Assert.Equal(1, r.BestEpoch);
    }

    [Fact]
    public void Best_starts_at_zero_so_any_positive_auc_improves()
    {
        var r = Run(1, 0.3);
        Assert.Null(r.StopEpoch);
        Assert.Equal(1, r.BestEpoch);
        Assert.Equal(0.3, r.Best);
    }
}
