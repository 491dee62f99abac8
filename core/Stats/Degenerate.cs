namespace Msr.Core.Stats;

/// <summary>
/// The one documented rule for tests whose standard error is zero (constant samples): equal centres give
/// statistic 0 and p = 1 (no evidence of any difference); different centres give statistic ±∞ and p = 0 in the
/// direction of the difference (1 against it, 0 two-sided). Shared so every test degenerates the same way.
/// </summary>
internal static class Degenerate
{
    public static TestResult ZeroSpread(string name, double difference, Alternative alternative)
    {
        if (difference == 0)
            return new TestResult(name, 0, 1, alternative, "zero variance and no difference: statistic 0, p = 1");
        double stat = difference > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        return new TestResult(name, stat, PForInfinite(stat, alternative), alternative,
            "zero variance with a non-zero difference: statistic is infinite");
    }

    public static double PForInfinite(double stat, Alternative alternative) => alternative switch
    {
        Alternative.Greater => stat > 0 ? 0 : 1,
        Alternative.Less => stat < 0 ? 0 : 1,
        _ => 0,
    };
}
