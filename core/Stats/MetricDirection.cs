namespace Msr.Core.Stats;

/// <summary>Whether larger or smaller values of a metric are better. Every "is A better than B" helper needs it,
/// because confusing the two silently inverts a conclusion (e.g. logloss).</summary>
public enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}
