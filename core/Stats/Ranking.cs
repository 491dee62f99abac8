namespace Msr.Core.Stats;

/// <summary>
/// Mid-ranks (ties get the average of the ranks they span, 1-based), as SciPy's <c>rankdata(method='average')</c>.
/// Also reports tie-group sizes because every rank test's tie correction needs them.
/// </summary>
internal static class Ranking
{
    public static double[] AverageRanks(IReadOnlyList<double> values, out List<int> tieGroupSizes)
    {
        int n = values.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var ranks = new double[n];
        tieGroupSizes = new List<int>();
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) end++;
            // positions start..end-1 hold ranks start+1..end; their average is (start+1+end)/2
            double mid = (start + 1 + end) / 2.0;
            for (int j = start; j < end; j++) ranks[order[j]] = mid;
            if (end - start > 1) tieGroupSizes.Add(end - start);
            start = end;
        }
        return ranks;
    }

    public static double[] AverageRanks(IReadOnlyList<double> values) => AverageRanks(values, out _);

    /// <summary>Sum over tie groups of t^3 - t, the quantity all rank-test tie corrections use.</summary>
    public static double TieTerm(IEnumerable<int> tieGroupSizes)
    {
        double s = 0;
        foreach (int t in tieGroupSizes) s += (double)t * t * t - t;
        return s;
    }
}
