namespace Msr.Core.Stats;

/// <summary>
/// Nemenyi post-hoc test after Friedman (Demšar 2006): two models differ when their mean ranks differ by at least
/// the critical difference CD = q_α/√2 · sqrt(k(k+1)/(6N)), q_α the upper-α quantile of the studentized range for
/// k groups and infinite df (computed by <see cref="StudentizedRange"/>, not a table). Pairwise p-values are
/// P(Q &gt; √2·|ΔR|/SE), already family-wise; the test is two-sided by construction.
/// </summary>
public static class Nemenyi
{
    /// <summary>q_α/√2 for k models (Demšar's table: 1.960, 2.343, 2.569, ... at α = 0.05).</summary>
    public static double CriticalValue(int models, double alpha = 0.05)
    {
        Guard.Level(alpha, nameof(alpha));
        return StudentizedRange.Quantile(1 - alpha, models) / Math.Sqrt(2);
    }

    /// <summary>Critical difference of mean ranks for k models over N blocks.</summary>
    public static double CriticalDifference(int models, int blocks, double alpha = 0.05)
    {
        if (blocks < 1) throw new ArgumentException($"'{nameof(blocks)}' must be at least 1 but is {blocks}.", nameof(blocks));
        return CriticalValue(models, alpha) * RankStandardError(models, blocks);
    }

    public static IReadOnlyList<PairwiseComparison> Pairwise(FriedmanResult friedman, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(friedman);
        Guard.Level(alpha, nameof(alpha));
        int k = friedman.ModelCount;
        double se = RankStandardError(k, friedman.Blocks);
        var list = new List<PairwiseComparison>();
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
            {
                double z = (friedman.MeanRanks[j] - friedman.MeanRanks[i]) / se;
                double p = StudentizedRange.Sf(Math.Abs(z) * Math.Sqrt(2), k);
                list.Add(new PairwiseComparison("Nemenyi", friedman.Models[i], friedman.Models[j],
                    friedman.MeanRanks[i], friedman.MeanRanks[j], z, p, p, Alternative.TwoSided, p <= alpha));
            }
        return list;
    }

    /// <summary>sqrt(k(k+1)/(6N)): standard error of a difference of two mean ranks under H0.</summary>
    internal static double RankStandardError(int k, int n)
    {
        if (k < 2) throw new ArgumentException($"Need at least 2 models but k = {k}.", nameof(k));
        return Math.Sqrt(k * (k + 1.0) / (6.0 * n));
    }
}
