namespace Msr.Core.Stats;

/// <summary>How a rank test computes its p-value.</summary>
public enum TestMethod
{
    /// <summary>Exact for small samples without ties (and, for Wilcoxon, without zeros); asymptotic otherwise (SciPy's rule).</summary>
    Auto,
    /// <summary>Exact null distribution. Falls back to asymptotic with a note when ties (or zeros) make it invalid.</summary>
    Exact,
    /// <summary>Normal approximation with tie correction.</summary>
    Asymptotic,
}
