namespace Msr.Core.Metrics;

/// <summary>
/// Group AUC over users (the standard user-weighted definition used in CTR work, e.g. Zhu et al. 2017, Zhou et al.
/// 2018): GAUC = Σ_u n_u · AUC_u / Σ_u n_u, where AUC_u is the <see cref="Auc"/> of user u's rows and n_u their number.
/// Users whose rows hold a single class have no AUC and are left out of both sums (their rows do not count).
/// </summary>
public static class Gauc
{
    /// <returns>The GAUC, or null when no user has both a click and a non-click.</returns>
    public static double? Compute(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, ReadOnlySpan<long> users)
    {
        if (scores.Length != labels.Length || labels.Length != users.Length)
            throw new ArgumentException($"length mismatch: {scores.Length} scores, {labels.Length} labels, {users.Length} user ids");
        int n = users.Length;
        if (n == 0) return null;
        // Group rows by user with one sort of the row indices (stable: ties keep row order, not that AUC cares).
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = users.ToArray();
        Array.Sort(keys, order);

        var groupScores = new double[n];
        var groupLabels = new float[n];
        double weighted = 0;
        long weight = 0;
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            int size = end - start + 1;
            for (int k = 0; k < size; k++)
            {
                groupScores[k] = scores[order[start + k]];
                groupLabels[k] = labels[order[start + k]];
            }
            if (Auc.Compute(groupScores.AsSpan(0, size), groupLabels.AsSpan(0, size)) is double auc)
            {
                weighted += size * auc;
                weight += size;
            }
            start = end + 1;
        }
        return weight == 0 ? null : weighted / weight;
    }
}
