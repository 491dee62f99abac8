namespace Msr.Core.Stats;

/// <summary>Conventional verbal magnitude of an effect size.</summary>
public enum EffectMagnitude { Negligible, Small, Medium, Large }

/// <summary>An effect size with its magnitude label and, for degenerate inputs, a note.</summary>
public sealed record EffectSizeResult(string Measure, double Value, EffectMagnitude Magnitude, string? Note = null);

/// <summary>
/// Effect sizes for "how much better is A than B", positive when x is larger than y.
/// </summary>
public static class EffectSize
{
    /// <summary>
    /// Cohen's d with the pooled standard deviation sqrt(((n1−1)s1² + (n2−1)s2²)/(n1+n2−2)).
    /// Labels (Cohen 1988): |d| &lt; 0.2 negligible, &lt; 0.5 small, &lt; 0.8 medium, else large.
    /// Needs n1 + n2 ≥ 3. Zero pooled SD: d = 0 when the means are equal, ±∞ (Large) otherwise, with a note.
    /// </summary>
    public static EffectSizeResult CohensD(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        int n1 = a.Length, n2 = b.Length;
        if (n1 + n2 < 3)
            throw new ArgumentException("Cohen's d needs at least 3 values in total to estimate a pooled SD.", nameof(y));
        double m1 = Descriptive.Mean(a), m2 = Descriptive.Mean(b);
        double ss1 = n1 > 1 ? Descriptive.Variance(a, m1) * (n1 - 1) : 0;
        double ss2 = n2 > 1 ? Descriptive.Variance(b, m2) * (n2 - 1) : 0;
        double sd = Math.Sqrt((ss1 + ss2) / (n1 + n2 - 2));
        const string name = "Cohen's d";
        if (sd > 0)
        {
            double d = (m1 - m2) / sd;
            return new EffectSizeResult(name, d, CohenMagnitude(d));
        }
        if (m1 == m2) return new EffectSizeResult(name, 0, EffectMagnitude.Negligible, "zero pooled SD and equal means: d = 0");
        return new EffectSizeResult(name, m1 > m2 ? double.PositiveInfinity : double.NegativeInfinity,
            EffectMagnitude.Large, "zero pooled SD with different means: d is infinite");
    }

    /// <summary>
    /// Cliff's delta = (#{x_i &gt; y_j} − #{x_i &lt; y_j}) / (n1·n2), in [−1, 1].
    /// Labels (Romano et al. 2006): |δ| &lt; 0.147 negligible, &lt; 0.33 small, &lt; 0.474 medium, else large.
    /// Defined for any non-empty samples (identical samples give 0).
    /// </summary>
    public static EffectSizeResult CliffsDelta(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var a = Guard.Sample(x, nameof(x), 1);
        var b = Guard.Sample(y, nameof(y), 1);
        // δ = 2U/(n1 n2) − 1 with U the Mann–Whitney count (ties count 1/2); via mid-ranks this is O(N log N).
        double u = MannWhitney.UStatistic(a, b, out _);
        double delta = 2 * u / ((double)a.Length * b.Length) - 1;
        return new EffectSizeResult("Cliff's delta", delta, CliffMagnitude(delta));
    }

    public static EffectMagnitude CohenMagnitude(double d)
    {
        double v = Math.Abs(d);
        return v < 0.2 ? EffectMagnitude.Negligible : v < 0.5 ? EffectMagnitude.Small : v < 0.8 ? EffectMagnitude.Medium : EffectMagnitude.Large;
    }

    public static EffectMagnitude CliffMagnitude(double delta)
    {
        double v = Math.Abs(delta);
        return v < 0.147 ? EffectMagnitude.Negligible : v < 0.33 ? EffectMagnitude.Small : v < 0.474 ? EffectMagnitude.Medium : EffectMagnitude.Large;
    }
}
