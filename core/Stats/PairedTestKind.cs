namespace Msr.Core.Stats;

/// <summary>Paired test used by <see cref="MetricComparison"/>.</summary>
public enum PairedTestKind
{
    PairedT,
    Wilcoxon,
    Permutation,
}
