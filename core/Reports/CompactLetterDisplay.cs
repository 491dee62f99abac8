namespace Msr.Core.Reports;

/// <summary>
/// Compact letter display by the insert-and-absorb procedure: models that share a letter are not significantly
/// different; two models without a common letter are. Letters are assigned in the order of the best model of each
/// group, so "a" always contains the best model.
/// </summary>
public static class CompactLetterDisplay
{
    /// <param name="modelCount">Number of models k (indices 0..k−1).</param>
    /// <param name="different">Pairs of indices that differ significantly.</param>
    /// <param name="bestFirst">All indices, best model first (ties in any order).</param>
    /// <returns>Letters of each model, in index order (never empty).</returns>
    public static string[] Compute(int modelCount, IEnumerable<(int A, int B)> different, IReadOnlyList<int> bestFirst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(modelCount);
        ArgumentNullException.ThrowIfNull(different);
        ArgumentNullException.ThrowIfNull(bestFirst);
        if (bestFirst.Count != modelCount || bestFirst.Distinct().Count() != modelCount || bestFirst.Any(i => i < 0 || i >= modelCount))
            throw new ArgumentException("bestFirst must be a permutation of the model indices.", nameof(bestFirst));
        var groups = new List<SortedSet<int>> { new(Enumerable.Range(0, modelCount)) };
        foreach (var (a, b) in different)
        {
            if (a == b || a < 0 || b < 0 || a >= modelCount || b >= modelCount)
                throw new ArgumentException($"Invalid pair ({a}, {b}) for {modelCount} models.", nameof(different));
            var next = new List<SortedSet<int>>();
            foreach (var g in groups)
            {
                if (g.Contains(a) && g.Contains(b))
                {
                    next.Add(new SortedSet<int>(g.Where(i => i != a)));
                    next.Add(new SortedSet<int>(g.Where(i => i != b)));
                }
                else next.Add(g);
            }
            groups = Absorb(next);
        }
        var position = new int[modelCount];
        for (int r = 0; r < bestFirst.Count; r++) position[bestFirst[r]] = r;
        var ordered = groups.Where(g => g.Count > 0)
            .OrderBy(g => g.Min(i => position[i]))
            .ThenBy(g => string.Join(",", g.Select(i => position[i]).Order()), StringComparer.Ordinal)
            .ToList();
        var letters = new string[modelCount];
        for (int i = 0; i < modelCount; i++) letters[i] = "";
        for (int gi = 0; gi < ordered.Count; gi++)
            foreach (int m in ordered[gi]) letters[m] += Letter(gi);
        return letters;
    }

    /// <summary>0 → "a", 25 → "z", 26 → "aa", ...</summary>
    public static string Letter(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var s = "";
        index++;
        while (index > 0)
        {
            index--;
            s = (char)('a' + index % 26) + s;
            index /= 26;
        }
        return s;
    }

    private static List<SortedSet<int>> Absorb(List<SortedSet<int>> groups)
    {
        var kept = new List<SortedSet<int>>();
        for (int i = 0; i < groups.Count; i++)
        {
            bool absorbed = false;
            for (int j = 0; j < groups.Count && !absorbed; j++)
            {
                if (i == j) continue;
                if (groups[i].IsSubsetOf(groups[j]) && (!groups[i].SetEquals(groups[j]) || j < i)) absorbed = true;
            }
            if (!absorbed && groups[i].Count > 0) kept.Add(groups[i]);
        }
        return kept;
    }
}
