namespace Msr.Core.Stats;

/// <summary>
/// Paired (sign-flip) permutation test on the mean difference mean(x − y). Under H0 each pair's difference is
/// equally likely to have either sign. Matches SciPy's <c>permutation_test((x, y), mean-diff,
/// permutation_type='samples')</c>: exact enumeration of all 2ⁿ sign patterns when n ≤ <c>exactMaxN</c>
/// (p = #{null ≥ observed}/2ⁿ with SciPy's relative tolerance 1e-14 for ties), otherwise seeded Monte Carlo with
/// p = (#extreme + 1)/(resamples + 1). Two-sided p = min(1, 2·min(p_less, p_greater)), as SciPy.
/// <para>Needs at least one pair. All differences zero → statistic 0, p = 1 (every pattern ties).</para>
/// </summary>
public static class PairedPermutationTest
{
    public const int DefaultExactMaxN = 20;

    public static TestResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y,
        Alternative alternative = Alternative.TwoSided, int seed = 0, int resamples = 9999, int exactMaxN = DefaultExactMaxN)
    {
        Guard.Defined(alternative, nameof(alternative));
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        Guard.SameLength(a, b, nameof(x), nameof(y));
        if (resamples < 1) throw new ArgumentException($"'{nameof(resamples)}' must be positive but is {resamples}.", nameof(resamples));
        if (exactMaxN < 0 || exactMaxN > 24) throw new ArgumentException($"'{nameof(exactMaxN)}' must be in 0..24 (2^n enumeration) but is {exactMaxN}.", nameof(exactMaxN));
        int n = a.Length;
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = a[i] - b[i];
        double observed = d.Sum() / n;
        double gamma = Math.Max(1e-14, Math.Abs(1e-14 * observed));

        long countGreater = 0, countLess = 0, total;
        bool exact = n <= exactMaxN;
        if (exact)
        {
            total = 1L << n;
            for (long mask = 0; mask < total; mask++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += ((mask >> i) & 1) == 0 ? d[i] : -d[i];
                Tally(s / n, observed, gamma, ref countGreater, ref countLess);
            }
        }
        else
        {
            total = resamples;
            var rng = new Random(seed); // seeded: results are reproducible run to run
            for (int r = 0; r < resamples; r++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += rng.Next(2) == 0 ? d[i] : -d[i];
                Tally(s / n, observed, gamma, ref countGreater, ref countLess);
            }
        }
        double pGreater = exact ? (double)countGreater / total : (countGreater + 1.0) / (total + 1.0);
        double pLess = exact ? (double)countLess / total : (countLess + 1.0) / (total + 1.0);
        double p = alternative switch
        {
            Alternative.Greater => pGreater,
            Alternative.Less => pLess,
            _ => Math.Min(1, 2 * Math.Min(pGreater, pLess)),
        };
        return new TestResult("Paired permutation test", observed, p, alternative,
            exact ? null : $"Monte Carlo with {resamples} sign-flip resamples, seed {seed}")
        { Method = exact ? "exact" : "monte-carlo", SampleSize = n };
    }

    private static void Tally(double stat, double observed, double gamma, ref long greater, ref long less)
    {
        if (stat >= observed - gamma) greater++;
        if (stat <= observed + gamma) less++;
    }
}
