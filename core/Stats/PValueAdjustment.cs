namespace Msr.Core.Stats;

/// <summary>How a family of p-values is adjusted for multiple comparisons.</summary>
public enum AdjustmentMethod
{
    /// <summary>p·m, capped at 1 (controls the family-wise error rate).</summary>
    Bonferroni,
    /// <summary>Holm's step-down (FWER, uniformly more powerful than Bonferroni).</summary>
    Holm,
    /// <summary>Benjamini–Hochberg step-up (controls the false discovery rate).</summary>
    BenjaminiHochberg,
}

/// <summary>
/// Adjusted p-values in the statsmodels <c>multipletests</c> convention: results are returned in the input order,
/// are monotone in the sorted order, and are capped at 1, so "adjusted p ≤ α" is the decision rule.
/// </summary>
public static class PValueAdjustment
{
    public static double[] Adjust(IReadOnlyList<double> pValues, AdjustmentMethod method) => method switch
    {
        AdjustmentMethod.Bonferroni => Bonferroni(pValues),
        AdjustmentMethod.Holm => Holm(pValues),
        AdjustmentMethod.BenjaminiHochberg => BenjaminiHochberg(pValues),
        _ => throw new ArgumentException($"Unknown adjustment method {method}.", nameof(method)),
    };

    public static double[] Bonferroni(IReadOnlyList<double> pValues)
    {
        var p = Check(pValues);
        int m = p.Length;
        return p.Select(v => Math.Min(1, v * m)).ToArray();
    }

    /// <summary>Holm: sorted ascending, adj_(i) = max_{j≤i} min(1, (m − j + 1)·p_(j)).</summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var p = Check(pValues);
        int m = p.Length;
        var order = SortedIndices(p);
        var adj = new double[m];
        double running = 0;
        for (int r = 0; r < m; r++)
        {
            running = Math.Max(running, Math.Min(1, (m - r) * p[order[r]]));
            adj[order[r]] = running;
        }
        return adj;
    }

    /// <summary>Benjamini–Hochberg: sorted ascending, adj_(i) = min_{j≥i} min(1, m·p_(j)/j).</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        var p = Check(pValues);
        int m = p.Length;
        var order = SortedIndices(p);
        var adj = new double[m];
        double running = 1;
        for (int r = m - 1; r >= 0; r--)
        {
            running = Math.Min(running, Math.Min(1, p[order[r]] * m / (r + 1)));
            adj[order[r]] = running;
        }
        return adj;
    }

    private static double[] Check(IReadOnlyList<double> pValues)
    {
        if (pValues is null) throw new ArgumentNullException(nameof(pValues));
        var p = new double[pValues.Count];
        for (int i = 0; i < p.Length; i++)
        {
            double v = pValues[i];
            if (!(v >= 0 && v <= 1))
                throw new ArgumentException($"'{nameof(pValues)}' must hold probabilities in [0, 1]; index {i} is {v}.", nameof(pValues));
            p[i] = v;
        }
        return p; // an empty family is valid and adjusts to an empty family
    }

    private static int[] SortedIndices(double[] p)
    {
        var order = Enumerable.Range(0, p.Length).ToArray();
        // stable sort so equal p-values keep input order (deterministic output)
        return order.OrderBy(i => p[i]).ToArray();
    }
}
