using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class FriedmanTests
{
    public static IEnumerable<object[]> Cases => Ids("friedman");
    public static IEnumerable<object[]> Quantiles => Ids("studentized_range_quantile");
    public static IEnumerable<object[]> RangeCdf => Ids("studentized_range_cdf");

    /// <summary>SciPy evaluates the studentized range by numerical integration with its own tolerance (~1e-8
    /// relative in our checks), so agreement is asserted to this looser bound.</summary>
    private const double StudentizedRangeTolerance = 1e-7;

    private static double[][] Scores(System.Text.Json.JsonElement c) =>
        c.GetProperty("scores").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();

    [Theory, MemberData(nameof(Cases))]
    public void Friedman_matches_scipy_friedmanchisquare(string id)
    {
        var c = Case(id);
        var f = Friedman.Test(Scores(c));
        Close(c.Double("statistic"), f.Test.Statistic, what: "chi2");
        Close(c.Double("pvalue"), f.Test.PValue, what: "p");
        Close(c.Doubles("mean_ranks"), f.MeanRanks, what: "mean ranks");
        Assert.Equal(f.ModelCount - 1, f.Test.DegreesOfFreedom);
    }

    [Theory, MemberData(nameof(Cases))]
    public void Holm_pairwise_matches_reference(string id)
    {
        var c = Case(id);
        var f = Friedman.Test(Scores(c));
        foreach (var altName in new[] { "two-sided", "greater", "less" })
        {
            var alt = ParseAlternative(altName);
            var pairs = FriedmanPosthoc.HolmPairwise(f, alt);
            var expect = c.GetProperty("raw_p").GetProperty(altName);
            Close(c.Doubles("z"), pairs.Select(p => p.Statistic).ToArray(), what: "z");
            Close(expect.Doubles("raw"), pairs.Select(p => p.PValue).ToArray(), what: $"raw {altName}");
            Close(expect.Doubles("holm"), pairs.Select(p => p.AdjustedPValue).ToArray(), what: $"holm {altName}");
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void Nemenyi_pairwise_p_matches_scipy_studentized_range(string id)
    {
        var c = Case(id);
        var pairs = Nemenyi.Pairwise(Friedman.Test(Scores(c)));
        Close(c.Doubles("nemenyi_p"), pairs.Select(p => p.PValue).ToArray(), StudentizedRangeTolerance, "nemenyi p");
    }

    [Theory, MemberData(nameof(Quantiles))]
    public void Studentized_range_quantile_and_critical_difference_match_scipy(string id)
    {
        var c = Case(id);
        int k = c.GetProperty("k").GetInt32();
        double alpha = c.Double("alpha");
        Close(c.Double("q"), StudentizedRange.Quantile(1 - alpha, k), StudentizedRangeTolerance, "q");
        Close(c.Double("nemenyi_cv"), Nemenyi.CriticalValue(k, alpha), StudentizedRangeTolerance, "q/sqrt2");
        Close(c.Double("cd_n10"), Nemenyi.CriticalDifference(k, 10, alpha), StudentizedRangeTolerance, "CD");
    }

    [Theory, MemberData(nameof(RangeCdf))]
    public void Studentized_range_cdf_matches_scipy(string id)
    {
        var c = Case(id);
        int k = c.GetProperty("k").GetInt32();
        Close(c.Double("cdf"), StudentizedRange.Cdf(c.Double("q"), k), StudentizedRangeTolerance, "cdf");
        Close(c.Double("sf"), StudentizedRange.Sf(c.Double("q"), k), StudentizedRangeTolerance, "sf");
    }

    [Fact]
    public void Demsar_table_values()
    {
        // Demšar (2006) Table 5(a) lists q_α/√2 to three decimals (truncated, e.g. 2.343 for 2.34370), so
        // compare to 1e-3; k = 2 is Φ⁻¹(1 − α/2) in closed form.
        Assert.Equal(1.959964, Nemenyi.CriticalValue(2), 5);
        Assert.Equal(1.644854, Nemenyi.CriticalValue(2, 0.10), 5);
        foreach (var (k, q) in new[] { (3, 2.343), (4, 2.569), (5, 2.728), (6, 2.850), (10, 3.164) })
            Assert.True(Math.Abs(Nemenyi.CriticalValue(k) - q) < 1e-3, $"k={k}: {Nemenyi.CriticalValue(k)} vs table {q}");
    }

    [Fact]
    public void Mean_ranks_follow_metric_direction()
    {
        double[][] s = [[0.70, 0.80], [0.71, 0.79], [0.60, 0.90]];
        Assert.Equal(new[] { 2.0, 1.0 }, Friedman.Test(s, MetricDirection.HigherIsBetter).MeanRanks);
        var low = Friedman.Test(s, MetricDirection.LowerIsBetter, ["a", "b"]);
        Assert.Equal(new[] { 1.0, 2.0 }, low.MeanRanks);
        Assert.Equal(Friedman.Test(s).Test.Statistic, low.Test.Statistic);
        var vsControl = FriedmanPosthoc.HolmVersusControl(low, "a", Alternative.Greater);
        Assert.Single(vsControl);
        Assert.True(vsControl[0].Statistic > 0, "positive statistic = control ranks better");
    }

    [Fact]
    public void Fully_tied_blocks_give_p1_and_bad_shapes_throw()
    {
        var r = Friedman.Test([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]);
        Assert.Equal(0, r.Test.Statistic);
        Assert.Equal(1, r.Test.PValue);
        Assert.NotNull(r.Test.Note);
        Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 2.0], [1.0]]));
        Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0], [2.0]]));
        Assert.Throws<ArgumentException>(() => Friedman.Test(Array.Empty<double[]>()));
        Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, double.NaN]]));
        Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 2.0]], models: ["only-one"]));
        Assert.Throws<ArgumentException>(() => FriedmanPosthoc.HolmVersusControl(Friedman.Test([[1.0, 2.0]]), "nope"));
    }
}
