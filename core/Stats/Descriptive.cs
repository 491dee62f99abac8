namespace Msr.Core.Stats;

/// <summary>Mean and sample variance, two-pass so constant samples give exactly zero variance (the degenerate
/// branches of the tests depend on that being exact).</summary>
internal static class Descriptive
{
    public static double Mean(double[] x)
    {
        double s = 0;
        foreach (double v in x) s += v;
        double m = s / x.Length;
        // constant samples: return the value itself so that variance is exactly 0
        bool constant = true;
        for (int i = 1; i < x.Length && constant; i++) constant = x[i] == x[0];
        return constant ? x[0] : m;
    }

    /// <summary>Sample variance with n-1 denominator; requires n &gt;= 2.</summary>
    public static double Variance(double[] x, double mean)
    {
        double ss = 0;
        foreach (double v in x) { double d = v - mean; ss += d * d; }
        return ss / (x.Length - 1);
    }
}
