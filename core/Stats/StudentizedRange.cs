using MathNet.Numerics.Integration;
using MathNet.Numerics.RootFinding;

namespace Msr.Core.Stats;

/// <summary>
/// Distribution of the range of k independent standard normals (the studentized range with infinite degrees of
/// freedom), which Nemenyi's post-hoc test uses. Computed by numerical integration rather than a table so any k
/// and α work:
/// <c>P(Q ≤ q) = k ∫ φ(z) [Φ(z) − Φ(z − q)]^(k−1) dz</c>.
/// The upper tail is integrated directly via aᵐ − bᵐ = (a − b)·Σ aⁱbᵐ⁻¹⁻ⁱ with a − b = Φ(z − q), so small
/// p-values keep their relative precision. Accuracy ~1e-12 (composite 20-point Gauss–Legendre).
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
            double a = Distributions.NormalCdf(z);     // Φ(z)
            double e = Distributions.NormalCdf(z - q); // a − b
            double b = Between(z, q);                  // Φ(z) − Φ(z − q)
            double sum = 0, ai = 1;
            for (int i = 0; i <= k - 2; i++) { sum += ai * Math.Pow(b, k - 2 - i); ai *= a; }
            return k * Phi(z) * e * sum;
        }, -10, 10 + q);
        return Math.Clamp(value, 0, 1);
    }

    /// <summary>The q with P(Q ≤ q) = <paramref name="p"/>, e.g. q_{0.05} = Quantile(0.95, k).</summary>
    public static double Quantile(double p, int k)
    {
        CheckK(k);
        Guard.Level(p, nameof(p));
        double alpha = 1 - p;
        // Solve on the tail that is small, for relative precision.
        Func<double, double> f = alpha < 0.5 ? q => Sf(q, k) - alpha : q => Cdf(q, k) - p;
        return Brent.FindRoot(f, 1e-6, 40, 1e-13, 500);
    }

    private static double Phi(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

    // Φ(z) − Φ(z − q) from whichever tails avoid cancellation.
    private static double Between(double z, double q) =>
        z - q / 2 >= 0
            ? Distributions.NormalSf(z - q) - Distributions.NormalSf(z)
            : Distributions.NormalCdf(z) - Distributions.NormalCdf(z - q);

    private static double Integrate(Func<double, double> f, double a, double b)
    {
        const double panel = 0.5;
        int panels = (int)Math.Ceiling((b - a) / panel);
        double h = (b - a) / panels, s = 0;
        for (int i = 0; i < panels; i++) s += GaussLegendreRule.Integrate(f, a + i * h, a + (i + 1) * h, 20);
        return s;
    }

    private static void CheckK(int k)
    {
        if (k < 2) throw new ArgumentException($"The studentized range needs at least 2 groups but k = {k}.", nameof(k));
    }
}
