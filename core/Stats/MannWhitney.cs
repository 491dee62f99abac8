namespace Msr.Core.Stats;

/// <summary>
/// Mann–Whitney U (Wilcoxon rank-sum) test for two independent samples, matching SciPy's
/// <c>mannwhitneyu(x, y, use_continuity, alternative, method)</c> (SciPy ≥ 1.7 semantics).
/// <para>Statistic: U₁ = R₁ − n₁(n₁+1)/2, the U of <paramref name="x"/> (pairs with x &gt; y, ties ½).
/// Auto rule (as SciPy): exact when min(n₁, n₂) ≤ 8 and there are no ties, else normal approximation with tie
/// correction and (by default) continuity correction. Requested exact with ties falls back to asymptotic with a note,
/// as does exact when min(n₁,n₂)·max(n₁,n₂)² &gt; 8·10⁶ (memory bound of the exact table).
/// All values equal: the asymptotic variance is 0; the result is U₁ = n₁n₂/2, p = 1 (as SciPy), with a note.</para>
/// </summary>
public static class MannWhitney
{
    public static TestResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y,
        Alternative alternative = Alternative.TwoSided, TestMethod method = TestMethod.Auto, bool useContinuity = true)
    {
        Guard.Defined(alternative, nameof(alternative));
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        int n1 = a.Length, n2 = b.Length;
        double u1 = UStatistic(a, b, out var ties);
        double u2 = (double)n1 * n2 - u1;
        bool hasTies = ties.Count > 0;
        string? note = null;

        bool exact = method switch
        {
            TestMethod.Exact => !hasTies,
            TestMethod.Asymptotic => false,
            _ => !(n1 > 8 && n2 > 8) && !hasTies,
        };
        if (method == TestMethod.Exact && hasTies) note = "ties present: exact distribution invalid, used normal approximation";
        if (exact && !MannWhitneyDistribution.IsAffordable(n1, n2))
        {
            // The exact table costs O(min·max²) memory; beyond that the normal approximation is excellent anyway.
            exact = false;
            note = "samples too large for the exact distribution, used normal approximation";
        }

        // SciPy's formulation: the p-value is always an upper tail of the relevant U.
        double u; double factor;
        switch (alternative)
        {
            case Alternative.Greater: u = u1; factor = 1; break;
            case Alternative.Less: u = u2; factor = 1; break;
            default: u = Math.Max(u1, u2); factor = 2; break;
        }

        const string name = "Mann-Whitney U";
        if (exact)
        {
            double p = Math.Min(1, factor * MannWhitneyDistribution.Sf((int)Math.Round(u), n1, n2));
            return new TestResult(name, u1, p, alternative, note) { Method = "exact", SampleSize = n1 + n2 };
        }

        int n = n1 + n2;
        double mu = n1 * (double)n2 / 2;
        double sigma = n > 1 ? Math.Sqrt(n1 * (double)n2 / 12 * ((n + 1) - Ranking.TieTerm(ties) / ((double)n * (n - 1)))) : 0;
        double numerator = u - mu - (useContinuity ? 0.5 : 0);
        if (!(sigma > 0))
        {
            // Every value is tied: U1 = U2 = mu; SciPy's z is -inf (or 0/0 without continuity) and p clips to 1.
            return new TestResult(name, u1, 1, alternative, "all values tied: no information, p = 1")
            { Method = "asymptotic", SampleSize = n, ZStatistic = 0 };
        }
        double z = numerator / sigma;
        double pv = Math.Min(1, factor * Distributions.NormalSf(z));
        return new TestResult(name, u1, pv, alternative, note) { Method = "asymptotic", ZStatistic = z, SampleSize = n };
    }

    /// <summary>U of the first sample from mid-ranks of the pooled sample; also returns tie-group sizes.</summary>
    internal static double UStatistic(double[] a, double[] b, out List<int> ties)
    {
        var pooled = new double[a.Length + b.Length];
        a.CopyTo(pooled, 0);
        b.CopyTo(pooled, a.Length);
        var ranks = Ranking.AverageRanks(pooled, out ties);
        double r1 = 0;
        for (int i = 0; i < a.Length; i++) r1 += ranks[i];
        return r1 - a.Length * (a.Length + 1.0) / 2;
    }
}
