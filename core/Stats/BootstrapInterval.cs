namespace Msr.Core.Stats;

/// <summary>
/// Seeded percentile bootstrap intervals (Efron). The bootstrap distribution's (1−level)/2 and (1+level)/2
/// quantiles, with linear interpolation between order statistics (NumPy's default <c>percentile</c>, which SciPy's
/// <c>bootstrap(method='percentile')</c> uses). Resampling uses <see cref="System.Random"/> with the given seed, so
/// results are reproducible but are not SciPy's draws: agreement with SciPy is statistical, not exact.
/// A single observation or a constant sample yields a zero-width interval with a note.
/// </summary>
public static class BootstrapInterval
{
    public const int DefaultResamples = 10_000;

    /// <summary>Percentile bootstrap CI of the mean of one sample.</summary>
    public static ConfidenceInterval Mean(IReadOnlyList<double> values, double level = 0.95, int resamples = DefaultResamples, int seed = 0)
    {
        Guard.Level(level, nameof(level));
        CheckResamples(resamples);
        var x = Guard.Sample(values, nameof(values), 1);
        double estimate = Descriptive.Mean(x);
        var rng = new Random(seed);
        var stats = new double[resamples];
        for (int r = 0; r < resamples; r++) stats[r] = ResampleMean(x, rng);
        return Finish(estimate, stats, level, x.Length == 1 ? "single observation: zero-width interval" : null);
    }

    /// <summary>
    /// Percentile bootstrap CI of mean(x) − mean(y). Independent samples are resampled separately; with
    /// <paramref name="paired"/> the pairs are resampled together (x and y must then have equal length).
    /// </summary>
    public static ConfidenceInterval MeanDifference(IReadOnlyList<double> x, IReadOnlyList<double> y, double level = 0.95,
        int resamples = DefaultResamples, int seed = 0, bool paired = false)
    {
        Guard.Level(level, nameof(level));
        CheckResamples(resamples);
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        double estimate = Descriptive.Mean(a) - Descriptive.Mean(b);
        var rng = new Random(seed);
        var stats = new double[resamples];
        if (paired)
        {
            Guard.SameLength(a, b, nameof(x), nameof(y));
            var d = a.Select((v, i) => v - b[i]).ToArray();
            for (int r = 0; r < resamples; r++) stats[r] = ResampleMean(d, rng);
        }
        else
        {
            for (int r = 0; r < resamples; r++) stats[r] = ResampleMean(a, rng) - ResampleMean(b, rng);
        }
        return Finish(estimate, stats, level, null);
    }

    private static double ResampleMean(double[] x, Random rng)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[rng.Next(x.Length)];
        return s / x.Length;
    }

    private static ConfidenceInterval Finish(double estimate, double[] stats, double level, string? note)
    {
        Array.Sort(stats);
        double lo = Percentile(stats, (1 - level) / 2), hi = Percentile(stats, (1 + level) / 2);
        if (lo == hi && note is null) note = "bootstrap distribution has no spread: zero-width interval";
        return new ConfidenceInterval(estimate, lo, hi, level, "bootstrap-percentile", note);
    }

    /// <summary>Quantile of sorted data with linear interpolation (NumPy 'linear' / Hyndman–Fan type 7).</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static void CheckResamples(int resamples)
    {
        if (resamples < 2) throw new ArgumentException($"'{nameof(resamples)}' must be at least 2 but is {resamples}.", nameof(resamples));
    }
}
