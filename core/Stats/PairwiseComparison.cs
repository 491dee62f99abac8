namespace Msr.Core.Stats;

/// <summary>
/// One pair from a post-hoc procedure after Friedman. Statistic is positive when <see cref="ModelA"/> has the
/// better (smaller) mean rank. <see cref="AdjustedPValue"/> already accounts for the family of comparisons;
/// <see cref="Significant"/> is AdjustedPValue ≤ alpha.
/// </summary>
public sealed record PairwiseComparison(
    string Test, string ModelA, string ModelB, double MeanRankA, double MeanRankB,
    double Statistic, double PValue, double AdjustedPValue, Alternative Alternative, bool Significant);
