namespace Msr.Core.Stats;

/// <summary>
/// Pairwise z-tests on Friedman mean ranks with Holm's step-down adjustment (Demšar 2006, §3.2.2):
/// z = (R_B − R_A)/sqrt(k(k+1)/(6N)), positive when A ranks better; p from the standard normal.
/// <see cref="Alternative.Greater"/> means "A is better than B".
/// </summary>
public static class FriedmanPosthoc
{
    /// <summary>All k(k−1)/2 pairs, Holm-adjusted over that family.</summary>
    public static IReadOnlyList<PairwiseComparison> HolmPairwise(FriedmanResult friedman,
        Alternative alternative = Alternative.TwoSided, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(friedman);
        var pairs = new List<(int a, int b)>();
        for (int i = 0; i < friedman.ModelCount; i++)
            for (int j = i + 1; j < friedman.ModelCount; j++) pairs.Add((i, j));
        return Run(friedman, pairs, alternative, alpha);
    }

    /// <summary>Each other model against one control (k−1 comparisons, A = control), Holm-adjusted.</summary>
    public static IReadOnlyList<PairwiseComparison> HolmVersusControl(FriedmanResult friedman, string control,
        Alternative alternative = Alternative.TwoSided, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(friedman);
        int c = friedman.Models.ToList().IndexOf(control);
        if (c < 0) throw new ArgumentException($"Control model '{control}' is not among {string.Join(", ", friedman.Models)}.", nameof(control));
        var pairs = Enumerable.Range(0, friedman.ModelCount).Where(j => j != c).Select(j => (c, j)).ToList();
        return Run(friedman, pairs, alternative, alpha);
    }

    private static IReadOnlyList<PairwiseComparison> Run(FriedmanResult f, List<(int a, int b)> pairs, Alternative alternative, double alpha)
    {
        Guard.Defined(alternative, nameof(alternative));
        Guard.Level(alpha, nameof(alpha));
        double se = Nemenyi.RankStandardError(f.ModelCount, f.Blocks);
        var z = pairs.Select(p => (f.MeanRanks[p.b] - f.MeanRanks[p.a]) / se).ToArray();
        var raw = z.Select(v => Distributions.NormalPValue(v, alternative)).ToArray();
        var adj = PValueAdjustment.Holm(raw);
        return pairs.Select((p, i) => new PairwiseComparison("Holm (Friedman mean ranks)", f.Models[p.a], f.Models[p.b],
            f.MeanRanks[p.a], f.MeanRanks[p.b], z[i], raw[i], adj[i], alternative, adj[i] <= alpha)).ToList();
    }
}
