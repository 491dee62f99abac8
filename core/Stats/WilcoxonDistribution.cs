namespace Msr.Core.Stats;

/// <summary>
/// Exact null distribution of R⁺ (sum of ranks of positive differences) for n untied non-zero differences: each
/// rank is positive with probability ½ independently, so the pmf is built by adding ranks 1..n one at a time.
/// </summary>
internal static class WilcoxonDistribution
{
    public static double[] Pmf(int n)
    {
        var c = new double[] { 1.0 };
        for (int k = 1; k <= n; k++)
        {
            var next = new double[k * (k + 1) / 2 + 1];
            for (int i = 0; i < c.Length; i++)
            {
                next[i] += 0.5 * c[i];      // rank k negative
                next[i + k] += 0.5 * c[i];  // rank k positive
            }
            c = next;
        }
        return c;
    }

    /// <summary>P(R⁺ ≥ r).</summary>
    public static double Upper(double[] pmf, int r)
    {
        double s = 0;
        for (int i = pmf.Length - 1; i >= Math.Max(r, 0); i--) s += pmf[i];
        return s;
    }

    /// <summary>P(R⁺ ≤ r).</summary>
    public static double Lower(double[] pmf, int r)
    {
        double s = 0;
        for (int i = 0; i <= Math.Min(r, pmf.Length - 1); i++) s += pmf[i];
        return s;
    }
}
