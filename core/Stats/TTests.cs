namespace Msr.Core.Stats;

/// <summary>
/// Student (pooled), Welch and paired t-tests, matching SciPy's <c>ttest_ind(equal_var=True/False)</c> and
/// <c>ttest_rel</c>. Statistic is t for A − B (x − y).
/// <para>Degenerate inputs where the standard error is zero (SciPy returns NaN): if the mean difference is also
/// zero, the statistic is 0 and p = 1 for every alternative (no evidence of any difference); otherwise the statistic
/// is ±∞ and p is 0 in the direction of the difference and 1 against it (two-sided: 0). <see cref="TestResult.Note"/>
/// says so.</para>
/// </summary>
public static class TTests
{
    /// <summary>Two-sample t-test assuming equal variances (pooled SD); needs n_x + n_y ≥ 3, each ≥ 1.</summary>
    public static TestResult Student(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        Guard.Defined(alternative, nameof(alternative));
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        int n1 = a.Length, n2 = b.Length;
        if (n1 + n2 < 3)
            throw new ArgumentException("Student t-test needs at least 3 values in total (degrees of freedom n_x + n_y - 2 >= 1).", nameof(y));
        double m1 = Descriptive.Mean(a), m2 = Descriptive.Mean(b);
        double ss1 = n1 > 1 ? Descriptive.Variance(a, m1) * (n1 - 1) : 0;
        double ss2 = n2 > 1 ? Descriptive.Variance(b, m2) * (n2 - 1) : 0;
        double df = n1 + n2 - 2;
        double pooled = (ss1 + ss2) / df;
        double se = Math.Sqrt(pooled * (1.0 / n1 + 1.0 / n2));
        return Finish("Student t-test", m1 - m2, se, df, alternative, n1 + n2);
    }

    /// <summary>Welch's unequal-variance t-test with Welch–Satterthwaite degrees of freedom; needs n ≥ 2 in each sample.</summary>
    public static TestResult Welch(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        Guard.Defined(alternative, nameof(alternative));
        var a = Guard.Sample(x, nameof(x), 2);
        var b = Guard.Sample(y, nameof(y), 2);
        int n1 = a.Length, n2 = b.Length;
        double m1 = Descriptive.Mean(a), m2 = Descriptive.Mean(b);
        double v1 = Descriptive.Variance(a, m1) / n1, v2 = Descriptive.Variance(b, m2) / n2;
        double se = Math.Sqrt(v1 + v2);
        // When both variances are zero the Satterthwaite df is 0/0; report the pooled df instead (only the
        // degenerate branch uses it, and it is never NaN).
        double df = v1 + v2 > 0
            ? (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
            : n1 + n2 - 2;
        return Finish("Welch t-test", m1 - m2, se, df, alternative, n1 + n2);
    }

    /// <summary>Paired t-test on differences x[i] − y[i]; needs at least 2 pairs.</summary>
    public static TestResult Paired(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        Guard.Defined(alternative, nameof(alternative));
        var a = Guard.Sample(x, nameof(x), 2);
        var b = Guard.Sample(y, nameof(y), 2);
        Guard.SameLength(a, b, nameof(x), nameof(y));
        var d = new double[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        double md = Descriptive.Mean(d);
        double se = Math.Sqrt(Descriptive.Variance(d, md) / d.Length);
        return Finish("Paired t-test", md, se, d.Length - 1, alternative, d.Length);
    }

    private static TestResult Finish(string name, double diff, double se, double df, Alternative alternative, int n)
    {
        if (se > 0)
        {
            double t = diff / se;
            return new TestResult(name, t, Distributions.StudentTPValue(t, df, alternative), alternative)
            { DegreesOfFreedom = df, Method = "t", SampleSize = n };
        }
        return Degenerate.ZeroSpread(name, diff, alternative) with { DegreesOfFreedom = df, Method = "t", SampleSize = n };
    }
}
