using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class RankTestReferenceTests
{
    public static IEnumerable<object[]> MannWhitneyCases => Ids("mannwhitney");
    public static IEnumerable<object[]> WilcoxonCases => Ids("wilcoxon");

    [Theory, MemberData(nameof(MannWhitneyCases))]
    public void MannWhitney_matches_scipy(string id)
    {
        var c = Case(id);
        var method = Method(c.Str("method"));
        var r = MannWhitney.Test(c.Doubles("x"), c.Doubles("y"), c.Alt(), method, c.GetProperty("use_continuity").GetBoolean());
        Close(c.Double("statistic"), r.Statistic, what: "U");
        Close(c.Double("pvalue"), r.PValue, what: "p");
        Assert.Equal(c.Str("method_used"), r.Method);
    }

    [Theory, MemberData(nameof(WilcoxonCases))]
    public void Wilcoxon_matches_scipy(string id)
    {
        var c = Case(id);
        var d = c.Doubles("d");
        var zm = c.Str("zero_method") switch { "wilcox" => ZeroMethod.Wilcox, "pratt" => ZeroMethod.Pratt, _ => ZeroMethod.Zsplit };
        var method = Method(c.Str("method"));
        bool correction = c.GetProperty("correction").GetBoolean();
        var r = WilcoxonSignedRank.OneSample(d, c.Alt(), zm, method, correction);
        Close(c.Double("statistic"), r.Statistic, what: "T");
        Close(c.Double("pvalue"), r.PValue, what: "p");
        Assert.Equal(c.Str("method_used") == "approx" ? "asymptotic" : "exact", r.Method);
        if (c.GetProperty("zstatistic").ValueKind == System.Text.Json.JsonValueKind.Number)
            Close(c.Double("zstatistic"), r.ZStatistic!.Value, what: "z");

        // The paired entry point on (d, 0) must give the same answer.
        var paired = WilcoxonSignedRank.Paired(d, new double[d.Length], c.Alt(), zm, method, correction);
        Assert.Equal(r, paired);
    }

    internal static TestMethod Method(string s) => s switch
    {
        "exact" => TestMethod.Exact,
        "asymptotic" or "approx" => TestMethod.Asymptotic,
        _ => TestMethod.Auto,
    };
}
