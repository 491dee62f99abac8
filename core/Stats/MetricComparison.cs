namespace Msr.Core.Stats;

/// <summary>
/// "Is model A better than model B on this metric?" for paired per-seed (or per-dataset) scores. Direction comes
/// from the <see cref="Metric"/> so a lower-is-better metric such as logloss is tested the right way round.
/// </summary>
public static class MetricComparison
{
    /// <summary>One-sided paired test of "A better than B"; the p-value is small when A is better.</summary>
    public static TestResult TestABetterThanB(Metric metric, IReadOnlyList<double> a, IReadOnlyList<double> b,
        PairedTestKind kind = PairedTestKind.Wilcoxon, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var alt = metric.ABetterThanB;
        return kind switch
        {
            PairedTestKind.PairedT => TTests.Paired(a, b, alt),
            PairedTestKind.Wilcoxon => WilcoxonSignedRank.Paired(a, b, alt),
            PairedTestKind.Permutation => PairedPermutationTest.Test(a, b, alt, seed),
            _ => throw new ArgumentException($"Unknown paired test {kind}.", nameof(kind)),
        };
    }

    /// <inheritdoc cref="TestABetterThanB(Metric, IReadOnlyList{double}, IReadOnlyList{double}, PairedTestKind, int)"/>
    public static TestResult TestABetterThanB(string metricName, IReadOnlyList<double> a, IReadOnlyList<double> b,
        PairedTestKind kind = PairedTestKind.Wilcoxon, int seed = 0)
        => TestABetterThanB(Metric.Get(metricName), a, b, kind, seed);

    /// <summary>Whether mean(A) is strictly better than mean(B) — a point comparison, not a test.</summary>
    public static bool MeanIsBetter(Metric metric, IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric.IsBetter(Descriptive.Mean(Guard.Sample(a, nameof(a), 1)), Descriptive.Mean(Guard.Sample(b, nameof(b), 1)));
    }
}
