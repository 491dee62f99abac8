namespace Msr.Core.Stats;

/// <summary>
/// Exact null distribution of the Mann–Whitney U statistic (no ties). Uses the probability recurrence
/// p(m,n,k) = m/(m+n)·p(m−1,n,k−n) + n/(m+n)·p(m,n−1,k) (the largest observation is an x with probability
/// m/(m+n) and then beats all n y's); only non-negative terms are added, so tails keep full relative precision.
/// </summary>
internal static class MannWhitneyDistribution
{
    /// <summary>Whether the exact table (memory ~ min·max²/2 doubles) is small enough to build.</summary>
    public static bool IsAffordable(int m, int n)
    {
        long lo = Math.Min(m, n), hi = Math.Max(m, n);
        return lo * hi * hi <= 8_000_000;
    }

    /// <summary>P(U ≥ k) for sample sizes m and n.</summary>
    public static double Sf(int k, int m, int n)
    {
        if (k <= 0) return 1;
        if (k > (long)m * n) return 0;
        var pmf = Pmf(Math.Min(m, n), Math.Max(m, n));
        double s = 0;
        for (int i = pmf.Length - 1; i >= k; i--) s += pmf[i]; // small terms first
        return Math.Min(1, s);
    }

    // The distribution is symmetric in (m, n), so iterate over the smaller size in the outer loop.
    private static double[] Pmf(int m, int n)
    {
        // prev[j] = pmf for (i-1, j); cur[j] = pmf for (i, j), j = 0..n
        var prev = new double[n + 1][];
        for (int j = 0; j <= n; j++) prev[j] = [1.0];
        for (int i = 1; i <= m; i++)
        {
            var cur = new double[n + 1][];
            cur[0] = [1.0];
            for (int j = 1; j <= n; j++)
            {
                var p = new double[i * j + 1];
                double wx = (double)i / (i + j), wy = (double)j / (i + j);
                var a = prev[j];      // (i-1, j), shifted by j
                for (int k = 0; k < a.Length; k++) p[k + j] += wx * a[k];
                var b = cur[j - 1];   // (i, j-1)
                for (int k = 0; k < b.Length; k++) p[k] += wy * b[k];
                cur[j] = p;
            }
            prev = cur;
        }
        return prev[n];
    }
}
