namespace Msr.Core.Stats;

/// <summary>How the Wilcoxon signed-rank test treats zero differences (SciPy's <c>zero_method</c>).</summary>
public enum ZeroMethod
{
    /// <summary>Drop zero differences before ranking (Wilcoxon's original; SciPy's default).</summary>
    Wilcox,
    /// <summary>Rank zeros with the rest, then drop their ranks (Pratt 1959); the normal approximation is adjusted (Cureton 1967).</summary>
    Pratt,
    /// <summary>Rank zeros with the rest and split their rank sum equally between the positive and negative sums.</summary>
    Zsplit,
}
