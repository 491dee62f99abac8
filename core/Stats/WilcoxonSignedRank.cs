namespace Msr.Core.Stats;

/// <summary>
/// Wilcoxon signed-rank test on paired differences d = x − y, matching SciPy 1.10's
/// <c>wilcoxon(x, y, zero_method, correction, alternative, method)</c>.
/// <para>Statistic: two-sided → min(R⁺, R⁻); one-sided → R⁺ (SciPy's convention); the z of the normal
/// approximation is in <see cref="TestResult.ZStatistic"/>. Auto: exact when n ≤ 50 and there are neither zeros
/// nor ties, else the normal approximation with tie correction (and continuity correction if requested).
/// Exact requested with zeros or ties (or n &gt; <see cref="MaxExactN"/>) falls back to the approximation with a
/// note (SciPy 1.10 switches for zeros but silently truncates tied rank sums; we do not reproduce that).</para>
/// <para>All differences zero: with Wilcox/Pratt there is nothing to rank (SciPy raises); we return statistic 0,
/// p = 1 with a note. Zsplit handles it naturally (z = 0, p = 1).</para>
/// </summary>
public static class WilcoxonSignedRank
{
    /// <summary>Largest n for which an explicitly requested exact distribution is computed.</summary>
    public const int MaxExactN = 1000;

    public static TestResult Paired(IReadOnlyList<double> x, IReadOnlyList<double> y,
        Alternative alternative = Alternative.TwoSided, ZeroMethod zeroMethod = ZeroMethod.Wilcox,
        TestMethod method = TestMethod.Auto, bool continuityCorrection = false)
    {
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        Guard.SameLength(a, b, nameof(x), nameof(y));
        var d = new double[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        return Run(d, alternative, zeroMethod, method, continuityCorrection);
    }

    /// <summary>The same test on already-computed differences (one-sample test of symmetry about 0).</summary>
    public static TestResult OneSample(IReadOnlyList<double> differences,
        Alternative alternative = Alternative.TwoSided, ZeroMethod zeroMethod = ZeroMethod.Wilcox,
        TestMethod method = TestMethod.Auto, bool continuityCorrection = false)
        => Run(Guard.Sample(differences, nameof(differences), 1), alternative, zeroMethod, method, continuityCorrection);

    private static TestResult Run(double[] d, Alternative alternative, ZeroMethod zeroMethod, TestMethod method, bool correction)
    {
        Guard.Defined(alternative, nameof(alternative));
        if (!Enum.IsDefined(zeroMethod)) throw new ArgumentException($"Unknown zero method {zeroMethod}.", nameof(zeroMethod));
        const string name = "Wilcoxon signed-rank";
        int nZero = d.Count(v => v == 0);
        if (nZero == d.Length && zeroMethod != ZeroMethod.Zsplit)
            return new TestResult(name, 0, 1, alternative, "all differences are zero: no information, p = 1")
            { Method = "asymptotic", ZStatistic = 0, SampleSize = 0 };

        if (zeroMethod == ZeroMethod.Wilcox && nZero > 0) d = d.Where(v => v != 0).ToArray();
        int count = d.Length;
        var absD = d.Select(Math.Abs).ToArray();
        var r = Ranking.AverageRanks(absD, out var ties);
        double rPlus = 0, rMinus = 0, rZero = 0;
        for (int i = 0; i < count; i++)
        {
            if (d[i] > 0) rPlus += r[i];
            else if (d[i] < 0) rMinus += r[i];
            else rZero += r[i];
        }
        if (zeroMethod == ZeroMethod.Zsplit) { rPlus += rZero / 2; rMinus += rZero / 2; }
        double t = alternative == Alternative.TwoSided ? Math.Min(rPlus, rMinus) : rPlus;

        // As SciPy: any zero difference rules out the exact distribution, even when 'wilcox' has dropped them
        // (the conditional null distribution given the zeros is not the plain signed-rank one R and SciPy tabulate).
        bool hasTies = ties.Count > 0;
        bool exactValid = nZero == 0 && !hasTies;
        string? note = null;
        bool exact = method switch
        {
            TestMethod.Exact => exactValid,
            TestMethod.Asymptotic => false,
            _ => exactValid && count <= 50,
        };
        if (method == TestMethod.Exact && !exactValid)
            note = "zeros or ties present: exact distribution invalid, used normal approximation";
        if (exact && count > MaxExactN)
        {
            // The exact pmf has n(n+1)/2 + 1 entries built in O(n³); the approximation is excellent long before this.
            exact = false;
            note = $"n > {MaxExactN}: used normal approximation";
        }

        if (exact)
        {
            var pmf = WilcoxonDistribution.Pmf(count);
            int rp = (int)Math.Round(rPlus);
            double p = alternative switch
            {
                Alternative.Greater => WilcoxonDistribution.Upper(pmf, rp),
                Alternative.Less => WilcoxonDistribution.Lower(pmf, rp),
                _ => rp == (pmf.Length - 1) / 2 ? 1 : 2 * Math.Min(WilcoxonDistribution.Upper(pmf, rp), WilcoxonDistribution.Lower(pmf, rp)),
            };
            return new TestResult(name, t, Math.Clamp(p, 0, 1), alternative, note) { Method = "exact", SampleSize = count };
        }

        double mn = count * (count + 1.0) * 0.25;
        double se = count * (count + 1.0) * (2.0 * count + 1.0);
        List<int> tieGroups = ties;
        if (zeroMethod == ZeroMethod.Pratt && nZero > 0)
        {
            // Cureton's adjustment: the zeros' ranks 1..n0 are removed from mean and variance, and only the ranks
            // of non-zero differences enter the tie correction.
            mn -= nZero * (nZero + 1.0) * 0.25;
            se -= nZero * (nZero + 1.0) * (2.0 * nZero + 1.0);
            Ranking.AverageRanks(Enumerable.Range(0, count).Where(i => d[i] != 0).Select(i => r[i]).ToArray(), out tieGroups);
        }
        foreach (int g in tieGroups) se -= 0.5 * g * ((double)g * g - 1);
        se = Math.Sqrt(se / 24);
        double cc = 0;
        if (correction)
            cc = alternative switch { Alternative.TwoSided => 0.5 * Math.Sign(t - mn), Alternative.Less => -0.5, _ => 0.5 };
        if (!(se > 0))
            return new TestResult(name, t, 1, alternative, "zero variance of the rank sum: p = 1") { Method = "asymptotic", ZStatistic = 0, SampleSize = count };
        double z = (t - mn - cc) / se;
        return new TestResult(name, t, Distributions.NormalPValue(z, alternative), alternative, note)
        { Method = "asymptotic", ZStatistic = z, SampleSize = count };
    }
}
