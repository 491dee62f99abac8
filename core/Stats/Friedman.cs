namespace Msr.Core.Stats;

/// <summary>Friedman test result plus the per-model mean ranks the post-hoc procedures need (rank 1 = best).</summary>
public sealed record FriedmanResult(
    TestResult Test, IReadOnlyList<string> Models, IReadOnlyList<double> MeanRanks, int Blocks, MetricDirection Direction)
{
    public int ModelCount => Models.Count;
}

/// <summary>
/// Friedman's rank test of k models over N blocks (datasets, or dataset×scenario cells), the omnibus test of
/// Demšar (2006). Matches SciPy's <c>friedmanchisquare</c>: mid-ranks within each block,
/// χ² = [12/(N k (k+1)) Σ R_j² − 3 N (k+1)] / C with tie correction C = 1 − Σ(t³ − t)/(N k (k² − 1)),
/// p = P(χ²_{k−1} ≥ χ²). The p-value is inherently upper-tail; <see cref="TestResult.Alternative"/> is TwoSided
/// ("some model differs"). Mean ranks are reported with rank 1 = best according to <c>direction</c>
/// (the statistic does not depend on it).
/// <para>Needs k ≥ 2 models (SciPy: 3) and N ≥ 1 blocks of equal width. Every block fully tied → χ² = 0, p = 1, note.</para>
/// </summary>
public static class Friedman
{
    /// <param name="scores">scores[block][model], e.g. rows = datasets, columns = models.</param>
    /// <param name="direction">Which way is better, for the mean ranks only.</param>
    /// <param name="models">Optional model names (default "model1".."modelK").</param>
    public static FriedmanResult Test(IReadOnlyList<IReadOnlyList<double>> scores,
        MetricDirection direction = MetricDirection.HigherIsBetter, IReadOnlyList<string>? models = null)
    {
        if (scores is null) throw new ArgumentNullException(nameof(scores));
        if (scores.Count < 1) throw new ArgumentException($"'{nameof(scores)}' must have at least one block (row).", nameof(scores));
        int k = scores[0]?.Count ?? 0;
        if (k < 2) throw new ArgumentException($"'{nameof(scores)}' needs at least 2 models (columns) but has {k}.", nameof(scores));
        if (models is not null && models.Count != k)
            throw new ArgumentException($"'{nameof(models)}' has {models.Count} names for {k} models.", nameof(models));
        int n = scores.Count;
        var rankSums = new double[k];
        double tieTerm = 0;
        for (int i = 0; i < n; i++)
        {
            var row = Guard.Sample(scores[i], $"{nameof(scores)}[{i}]", 1);
            if (row.Length != k)
                throw new ArgumentException($"'{nameof(scores)}' row {i} has {row.Length} values but row 0 has {k}.", nameof(scores));
            // Rank so that 1 = best; the chi-square statistic is invariant to reversing ranks.
            var keyed = direction == MetricDirection.HigherIsBetter ? row.Select(v => -v).ToArray() : row;
            var ranks = Ranking.AverageRanks(keyed, out var ties);
            for (int j = 0; j < k; j++) rankSums[j] += ranks[j];
            tieTerm += Ranking.TieTerm(ties);
        }
        var meanRanks = rankSums.Select(r => r / n).ToArray();
        var names = models?.ToArray() ?? Enumerable.Range(1, k).Select(j => $"model{j}").ToArray();

        double c = 1 - tieTerm / (k * ((double)k * k - 1) * n);
        const string name = "Friedman chi-square";
        TestResult test;
        if (c <= 1e-12)
        {
            test = new TestResult(name, 0, 1, Alternative.TwoSided, "every block is fully tied: no information, p = 1")
            { DegreesOfFreedom = k - 1, Method = "chi-square", SampleSize = n };
        }
        else
        {
            double ssq = rankSums.Sum(r => r * r);
            double chi2 = (12.0 / (n * k * (k + 1.0)) * ssq - 3.0 * n * (k + 1)) / c;
            chi2 = Math.Max(0, chi2); // rounding can give -1e-15 for perfectly balanced ranks
            test = new TestResult(name, chi2, Distributions.ChiSquareSf(chi2, k - 1), Alternative.TwoSided)
            { DegreesOfFreedom = k - 1, Method = "chi-square", SampleSize = n };
        }
        return new FriedmanResult(test, names, meanRanks, n, direction);
    }
}
