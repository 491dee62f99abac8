namespace Msr.Core.Stats;

/// <summary>
/// The alternative hypothesis of a test. Every test in this namespace states its statistic so that
/// <see cref="Greater"/> means "the first argument (A, x) is larger than the second (B, y)".
/// </summary>
public enum Alternative
{
    /// <summary>A and B differ in either direction.</summary>
    TwoSided,
    /// <summary>A is larger than B (the statistic tends to be large).</summary>
    Greater,
    /// <summary>A is smaller than B (the statistic tends to be small).</summary>
    Less,
}
