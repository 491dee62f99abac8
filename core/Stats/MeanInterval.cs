namespace Msr.Core.Stats;

/// <summary>
/// t-based confidence interval of a mean: mean ± t_{(1+level)/2, n−1} · s/√n, as SciPy's
/// <c>t.interval(level, n−1, loc=mean, scale=sem)</c>. Needs n ≥ 2 (with one value there is no spread estimate);
/// a constant sample gives the zero-width interval [mean, mean] with a note.
/// </summary>
public static class MeanInterval
{
    public static ConfidenceInterval T(IReadOnlyList<double> values, double level = 0.95)
    {
        Guard.Level(level, nameof(level));
        var x = Guard.Sample(values, nameof(values), 2);
        double mean = Descriptive.Mean(x);
        double sem = Math.Sqrt(Descriptive.Variance(x, mean) / x.Length);
        if (sem == 0) return new ConfidenceInterval(mean, mean, mean, level, "t", "zero variance: zero-width interval");
        double q = Distributions.StudentTQuantile((1 + level) / 2, x.Length - 1);
        return new ConfidenceInterval(mean, mean - q * sem, mean + q * sem, level, "t");
    }
}
