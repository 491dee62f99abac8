namespace Msr.Core.Stats;

/// <summary>
/// Uniform result of a hypothesis test, so a report layer can print name, statistic and p-value for any test.
/// Statistic and PValue are never NaN: degenerate inputs either produce a documented value
/// (then <see cref="Note"/> says why) or the test throws <see cref="ArgumentException"/>.
/// </summary>
/// <param name="Test">Human-readable test name, e.g. "Welch t-test".</param>
/// <param name="Statistic">The test statistic in the convention documented on each test (SciPy's where one exists).</param>
/// <param name="PValue">p-value in [0, 1].</param>
/// <param name="Alternative">The alternative hypothesis the p-value refers to.</param>
/// <param name="Note">Why a result is special (degenerate input, method fallback), otherwise null.</param>
public sealed record TestResult(string Test, double Statistic, double PValue, Alternative Alternative, string? Note = null)
{
    /// <summary>Degrees of freedom of the reference distribution (t, chi-square), when there is one.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>The standard-normal z behind the p-value for normal-approximation tests, when it differs from <see cref="Statistic"/>.</summary>
    public double? ZStatistic { get; init; }

    /// <summary>How the p-value was obtained: "exact", "asymptotic", "monte-carlo", "t", "chi-square", ...</summary>
    public string? Method { get; init; }

    /// <summary>Sample size(s) the test used, after any dropping (e.g. zero differences in Wilcoxon).</summary>
    public int? SampleSize { get; init; }
}
