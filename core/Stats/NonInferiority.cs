namespace Msr.Core.Stats;

/// <summary>The two-sample test behind a non-inferiority comparison (seeds are unpaired: baseline and current may use
/// different seeds).</summary>
public enum NonInferiorityTest
{
    /// <summary>Welch's unequal-variance t-test on the margin-shifted samples.</summary>
    Welch,
    /// <summary>Mann–Whitney U on the margin-shifted samples (a location-shift test; no normality assumption).</summary>
    MannWhitney,
}

/// <summary>Outcome of one non-inferiority comparison of a current sample against a baseline sample.</summary>
/// <param name="Metric">The metric; its direction decides which way "worse" is.</param>
/// <param name="Margin">Largest loss (in metric units, ≥ 0) that still counts as "not worse".</param>
/// <param name="BaselineMean">Mean of the baseline values.</param>
/// <param name="CurrentMean">Mean of the current values.</param>
/// <param name="Test">The one-sided test of H1 "current is worse by less than the margin"; a small p-value shows
/// non-inferiority.</param>
/// <param name="LowerBound">Welch only: the one-sided (1 − α) lower confidence bound of the improvement (current over
/// baseline, positive = better), i.e. the largest loss the data cannot rule out, negated. Non-inferior exactly when it
/// exceeds −margin. Null for Mann–Whitney.</param>
/// <param name="NonInferior">True when H0 is rejected at α (p &lt; α, strictly).</param>
public sealed record NonInferiorityResult(Metric Metric, double Margin, double BaselineMean, double CurrentMean, TestResult Test,
    double? LowerBound, bool NonInferior)
{
    /// <summary>current − baseline, raw (negative is worse for AUC, positive is worse for logloss).</summary>
    public double Delta => CurrentMean - BaselineMean;

    /// <summary>How much better current is than baseline in the metric's direction (negative = worse).</summary>
    public double Improvement => Metric.Improvement(CurrentMean, BaselineMean);
}

/// <summary>
/// One-sided non-inferiority test of a current sample (e.g. per-seed AUCs of a new build) against a baseline sample,
/// in the metric's direction. With improvement Δ = μ_current − μ_baseline for a higher-is-better metric (AUC) and
/// Δ = μ_baseline − μ_current for a lower-is-better one (logloss):
/// <code>H0: Δ ≤ −margin  (current is worse by the margin or more)      H1: Δ > −margin  (current is not worse beyond the margin)</code>
/// The test shifts the current sample by the margin towards "better" (AUC + margin, logloss − margin) and runs the
/// ordinary one-sided two-sample test "shifted current is better than baseline" — the textbook construction, which for
/// Welch equals t = (Δ + margin) / se. A p-value below α establishes non-inferiority; a large one means the data could
/// not rule out a loss beyond the margin (either because current is worse, or because the seeds are too few or too
/// noisy for that margin). The burden of proof is on the current build.
/// <para>For several comparisons the claim "every cell is non-inferior" is an intersection–union test: it holds at
/// level α when each cell is tested at α, without a multiple-comparison correction (Berger 1982).</para>
/// </summary>
public static class NonInferiority
{
    /// <summary>Fewest seeds per sample the regression check accepts: two are enough to compute Welch's t, but a
    /// variance from one degree of freedom makes the verdict close to arbitrary.</summary>
    public const int MinimumSeeds = 3;

    /// <summary>Runs the test. Samples need at least 2 values each (the test's own minimum); NaN/∞ throw.</summary>
    /// <exception cref="ArgumentException">Bad margin (negative or not finite), α outside (0, 1), or a sample the
    /// underlying test rejects (the message names it).</exception>
    public static NonInferiorityResult Test(Metric metric, IReadOnlyList<double> current, IReadOnlyList<double> baseline,
        double margin, double alpha = 0.05, NonInferiorityTest test = NonInferiorityTest.Welch)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!double.IsFinite(margin) || margin < 0)
            throw new ArgumentException($"The non-inferiority margin must be a finite number ≥ 0, got {margin}.", nameof(margin));
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentException($"α must lie in (0, 1), got {alpha}.", nameof(alpha));
        var cur = Guard.Sample(current, nameof(current), 2);
        var bas = Guard.Sample(baseline, nameof(baseline), 2);
        var shifted = Shift(metric, cur, margin);
        var alternative = metric.ABetterThanB;
        double? lowerBound = null;
        TestResult result;
        switch (test)
        {
            case NonInferiorityTest.Welch:
                result = TTests.Welch(shifted, bas, alternative);
                lowerBound = WelchLowerBound(metric, cur, bas, alpha);
                break;
            case NonInferiorityTest.MannWhitney:
                result = MannWhitney.Test(shifted, bas, alternative);
                break;
            default:
                throw new ArgumentException($"Unknown non-inferiority test {test}.", nameof(test));
        }
        result = result with { Test = $"{result.Test} (non-inferiority, margin {margin:G6})" };
        return new NonInferiorityResult(metric, margin, Descriptive.Mean(bas), Descriptive.Mean(cur), result, lowerBound,
            result.PValue < alpha);
    }

    /// <summary>The current sample moved by the margin towards "better" for the metric.</summary>
    public static double[] Shift(Metric metric, IReadOnlyList<double> current, double margin)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(current);
        double offset = metric.Direction == MetricDirection.HigherIsBetter ? margin : -margin;
        return [.. current.Select(v => v + offset)];
    }

    /// <summary>
    /// The smallest one-sided p-value the test can reach with these sample sizes when it uses an exact distribution
    /// (Mann–Whitney with min(n) ≤ 8 and no ties: 1 / C(n₁ + n₂, n₁)), else 0. If it is not below α the test can never
    /// show non-inferiority, whatever the numbers — e.g. Mann–Whitney with 3 and 3 seeds reaches only 1/20 = 0.05.
    /// </summary>
    public static double SmallestPValue(NonInferiorityTest test, int currentCount, int baselineCount)
    {
        if (test != NonInferiorityTest.MannWhitney || (currentCount > 8 && baselineCount > 8)) return 0;
        // 1 / C(n1 + n2, n1), built up as a product so it stays finite for any sizes reaching here.
        double p = 1;
        int n1 = Math.Min(currentCount, baselineCount), n = currentCount + baselineCount;
        for (int i = 1; i <= n1; i++) p *= (double)i / (n - n1 + i);
        return p;
    }

    /// <summary>Welch's one-sided (1 − α) lower confidence bound of the improvement (current over baseline).</summary>
    static double WelchLowerBound(Metric metric, double[] current, double[] baseline, double alpha)
    {
        double mc = Descriptive.Mean(current), mb = Descriptive.Mean(baseline);
        double vc = Descriptive.Variance(current, mc) / current.Length, vb = Descriptive.Variance(baseline, mb) / baseline.Length;
        double improvement = metric.Improvement(mc, mb);
        double se = Math.Sqrt(vc + vb);
        if (!(se > 0)) return improvement;
        double df = (vc + vb) * (vc + vb) / (vc * vc / (current.Length - 1) + vb * vb / (baseline.Length - 1));
        return improvement - Distributions.StudentTQuantile(1 - alpha, df) * se;
    }
}
