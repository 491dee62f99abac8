namespace Msr.Core.Metrics;

/// <summary>
/// Area under the ROC curve, exact with ties: the Mann-Whitney statistic with average ranks,
/// (Σ ranks of positives − n⁺(n⁺+1)/2) / (n⁺ n⁻), equal to scikit-learn's trapezoidal ROC AUC.
/// </summary>
public static class Auc
{
    /// <returns>The AUC, or null when the rows hold a single class (AUC is undefined there).</returns>
    public static double? Compute(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels");
        int n = scores.Length;
        long positives = 0;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(scores[i])) throw new ArgumentException($"score at row {i} is NaN");
            if (labels[i] == 1f) positives++;
            else if (labels[i] != 0f) throw new ArgumentException($"label at row {i} is {labels[i]}, expected 0 or 1");
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return null;

        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);

        // Walk groups of tied scores; each member gets the group's average (1-based) rank.
        double positiveRankSum = 0;
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            double averageRank = (start + end) / 2.0 + 1.0;
            long groupPositives = 0;
            for (int k = start; k <= end; k++) if (labels[order[k]] == 1f) groupPositives++;
            positiveRankSum += groupPositives * averageRank;
            start = end + 1;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
