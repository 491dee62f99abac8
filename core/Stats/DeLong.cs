namespace Msr.Core.Stats;

/// <summary>Result of DeLong's test: both AUCs, their (co)variances and the z-test on AUC_A − AUC_B.</summary>
public sealed record DeLongResult(
    double AucA, double AucB, double VarianceA, double VarianceB, double Covariance,
    int Positives, int Negatives, TestResult Test)
{
    /// <summary>Estimated variance of AUC_A − AUC_B.</summary>
    public double DifferenceVariance => VarianceA + VarianceB - 2 * Covariance;
}

/// <summary>
/// DeLong, DeLong &amp; Clarke-Pearson (1988) test for two correlated ROC AUCs measured on the same rows.
/// <para>Each AUC is the Mann–Whitney estimate (a tie between a positive and a negative score counts ½). The
/// structural components V10 (per positive) and V01 (per negative) are obtained from mid-ranks (Sun &amp; Xu 2014),
/// so cost is O(N log N) rather than the O(m·n) pairwise definition — CTR test sets have millions of rows.
/// Var = S10/m + S01/n with sample covariances (denominators m−1, n−1); z = (AUC_A − AUC_B)/sqrt(Var).</para>
/// <para>Needs at least 2 positives and 2 negatives. Zero variance of the difference (e.g. identical scores):
/// z = 0 and p = 1 if the AUCs are equal, otherwise ±∞ and p = 0 in that direction, with a note.</para>
/// </summary>
public static class DeLong
{
    public static DeLongResult Test(IReadOnlyList<double> scoresA, IReadOnlyList<double> scoresB, IReadOnlyList<bool> labels,
        Alternative alternative = Alternative.TwoSided)
    {
        Guard.Defined(alternative, nameof(alternative));
        var a = Guard.Sample(scoresA, nameof(scoresA), 1);
        var b = Guard.Sample(scoresB, nameof(scoresB), 1);
        if (labels is null) throw new ArgumentNullException(nameof(labels));
        Guard.SameLength(a, b, nameof(scoresA), nameof(scoresB));
        if (labels.Count != a.Length)
            throw new ArgumentException($"'{nameof(labels)}' has {labels.Count} values but the scores have {a.Length}.", nameof(labels));
        int m = labels.Count(l => l), n = labels.Count - m;
        if (m < 2 || n < 2)
            throw new ArgumentException($"DeLong's test needs at least 2 positive and 2 negative labels (has {m} and {n}).", nameof(labels));

        var (aucA, v10A, v01A) = Components(a, labels, m, n);
        var (aucB, v10B, v01B) = Components(b, labels, m, n);
        double s10aa = Cov(v10A, v10A), s10bb = Cov(v10B, v10B), s10ab = Cov(v10A, v10B);
        double s01aa = Cov(v01A, v01A), s01bb = Cov(v01B, v01B), s01ab = Cov(v01A, v01B);
        double varA = s10aa / m + s01aa / n, varB = s10bb / m + s01bb / n, cov = s10ab / m + s01ab / n;
        double varDiff = varA + varB - 2 * cov;
        double diff = aucA - aucB;
        const string name = "DeLong AUC test";
        TestResult test;
        // Rounding can leave ±1e-17 where the variance is mathematically zero (e.g. identical scores); treat a
        // difference variance at rounding level relative to the AUC variances as zero rather than dividing by it.
        if (varDiff > 1e-12 * (varA + varB) && varDiff > 0)
        {
            double z = diff / Math.Sqrt(varDiff);
            test = new TestResult(name, z, Distributions.NormalPValue(z, alternative), alternative) { Method = "asymptotic", SampleSize = m + n };
        }
        else
        {
            test = Degenerate.ZeroSpread(name, diff, alternative) with { Method = "asymptotic", SampleSize = m + n };
        }
        return new DeLongResult(aucA, aucB, varA, varB, cov, m, n, test);
    }

    /// <summary>Overload for 0/1 labels (any non-zero is positive would hide bugs, so only 0 and 1 are accepted).</summary>
    public static DeLongResult Test(IReadOnlyList<double> scoresA, IReadOnlyList<double> scoresB, IReadOnlyList<int> labels,
        Alternative alternative = Alternative.TwoSided)
    {
        if (labels is null) throw new ArgumentNullException(nameof(labels));
        var flags = new bool[labels.Count];
        for (int i = 0; i < flags.Length; i++)
        {
            flags[i] = labels[i] switch
            {
                0 => false,
                1 => true,
                _ => throw new ArgumentException($"'{nameof(labels)}' must be 0 or 1; index {i} is {labels[i]}.", nameof(labels)),
            };
        }
        return Test(scoresA, scoresB, flags, alternative);
    }

    // V10_i = fraction of negatives a positive beats (ties ½) = (rank among all − rank among positives) / n;
    // V01_j = fraction of positives that beat negative j = 1 − (rank among all − rank among negatives) / m.
    private static (double auc, double[] v10, double[] v01) Components(double[] scores, IReadOnlyList<bool> labels, int m, int n)
    {
        var pos = new double[m];
        var neg = new double[n];
        int ip = 0, ineg = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i]) pos[ip++] = scores[i]; else neg[ineg++] = scores[i];
        }
        var all = Ranking.AverageRanks(scores);
        var rPos = Ranking.AverageRanks(pos);
        var rNeg = Ranking.AverageRanks(neg);
        var v10 = new double[m];
        var v01 = new double[n];
        ip = 0; ineg = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (labels[i]) { v10[ip] = (all[i] - rPos[ip]) / n; ip++; }
            else { v01[ineg] = 1 - (all[i] - rNeg[ineg]) / m; ineg++; }
        }
        return (v10.Average(), v10, v01);
    }

    private static double Cov(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), s = 0;
        for (int i = 0; i < x.Length; i++) s += (x[i] - mx) * (y[i] - my);
        return s / (x.Length - 1);
    }
}
