using MathNet.Numerics.Integration;
using MathNet.Numerics.RootFinding;

namespace Msr.Core.Stats;

/// <summary>
/// Distribution of the range of k independent standard normals (the studentized range with infinite degrees of
/// freedom), which Nemenyi's post-hoc test uses. Computed by numerical integration rather than a table so any k
/// and α work:
/// <c>P(Q ≤ q) = k ∫ φ(z) [Φ(z) − Φ(z − q)]^(k−1) dz</c>.
/// The upper tail is integrated directly via aᵐ − bᵐ = (a − b)·Σ aⁱbᵐ⁻¹⁻ⁱ with a − b = Φ(z − q), so small
/// p-values keep their relative precision. Composite 20-point Gauss–Legendre on unit panels (agrees with a
/// 4× finer grid to ~1e-14). Quantiles are cached per (p, k) because Nemenyi asks for the same few repeatedly.
/// </summary>
public static class StudentizedRange
{
    /// <summary>P(Q ≤ q) for k groups, df = ∞.</summary>
    public static double Cdf(double q, int k)
    {
        CheckK(k);
        if (q <= 0) return 0;
        if (double.IsPositiveInfinity(q)) return 1;
        double value = Integrate(z => k * Phi(z) * Math.Pow(Between(z, q), k - 1), -10, 10);
        return Math.Clamp(value, 0, 1);
    }

    /// <summary>P(Q &gt; q) for k groups, df = ∞.</summary>
    public static double Sf(double q, int k)
    {
        CheckK(k);
        if (q <= 0) return 1;
        if (double.IsPositiveInfinity(q)) return 0;
        double value = Integrate(z =>
        {
            var (a, sfz) = CdfAndSf(z);        // Φ(z)
            var (e, sfzq) = CdfAndSf(z - q);   // a − b = Φ(z − q)
            double b = z - q / 2 >= 0 ? sfzq - sfz : a - e; // Φ(z) − Φ(z − q) from the tails that avoid cancellation
            // Σ_{i=0}^{k−2} aⁱ b^{k−2−i} by Horner's scheme
            double sum = 1, aj = 1;
            for (int j = 1; j <= k - 2; j++) { aj *= a; sum = sum * b + aj; }
            return k * Phi(z) * e * sum;
        }, -10, 10 + q);
        return Math.Clamp(value, 0, 1);
    }

    /// <summary>The q with P(Q ≤ q) = <paramref name="p"/>, e.g. q_{0.05} = Quantile(0.95, k).</summary>
    public static double Quantile(double p, int k)
    {
        CheckK(k);
        Guard.Level(p, nameof(p));
        return QuantileCache.GetOrAdd((p, k), key => SolveQuantile(key.p, key.k));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(double p, int k), double> QuantileCache = new();

    private static double SolveQuantile(double p, int k)
    {
        double alpha = 1 - p;
        // Solve on the tail that is small, for relative precision.
        Func<double, double> f = alpha < 0.5 ? q => Sf(q, k) - alpha : q => Cdf(q, k) - p;
        return Brent.FindRoot(f, 1e-6, 40, 1e-13, 500);
    }

    private static double Phi(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

    // Φ(z) − Φ(z − q) from whichever tails avoid cancellation.
    private static double Between(double z, double q)
    {
        var (a, sfz) = CdfAndSf(z);
        var (e, sfzq) = CdfAndSf(z - q);
        return z - q / 2 >= 0 ? sfzq - sfz : a - e;
    }

    // Φ(z) and 1 − Φ(z) from a single erfc (the expensive call): the small one is accurate, the other is 1 − it.
    private static (double cdf, double sf) CdfAndSf(double z)
    {
        if (z >= 0) { double sf = Distributions.NormalSf(z); return (1 - sf, sf); }
        double cdf = Distributions.NormalCdf(z);
        return (cdf, 1 - cdf);
    }

    // 20-point Gauss–Legendre nodes on [−1, 1], computed once (building the rule per panel dominated the cost).
    private static readonly GaussLegendreRule Rule = new(-1, 1, 20);

    private static double Integrate(Func<double, double> f, double a, double b)
    {
        const double panel = 1.0;
        int panels = (int)Math.Ceiling((b - a) / panel);
        double h = (b - a) / panels, s = 0;
        var x = Rule.Abscissas;
        var w = Rule.Weights;
        for (int i = 0; i < panels; i++)
        {
            double mid = a + (i + 0.5) * h, half = h / 2;
            for (int j = 0; j < x.Length; j++) s += half * w[j] * f(mid + half * x[j]);
        }
        return s;
    }

    private static void CheckK(int k)
    {
        if (k < 2) throw new ArgumentException($"The studentized range needs at least 2 groups but k = {k}.", nameof(k));
    }
}
