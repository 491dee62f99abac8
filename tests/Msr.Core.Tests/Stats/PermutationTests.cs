using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class PermutationTests
{
    public static IEnumerable<object[]> Cases => Ids("permutation");

    [Theory, MemberData(nameof(Cases))]
    public void Exact_matches_scipy_permutation_test(string id)
    {
        var c = Case(id);
        var r = PairedPermutationTest.Test(c.Doubles("x"), c.Doubles("y"), c.Alt());
        Close(c.Double("statistic"), r.Statistic, what: "mean diff");
        Close(c.Double("pvalue"), r.PValue, what: "p");
        Assert.Equal("exact", r.Method);
    }

    [Fact]
    public void Monte_carlo_is_seeded_and_close_to_exact()
    {
        var rng = new Random(7);
        var x = Enumerable.Range(0, 16).Select(_ => rng.NextDouble()).ToArray();
        var y = x.Select(v => v - 0.05 + 0.2 * (rng.NextDouble() - 0.5)).ToArray();
        var exact = PairedPermutationTest.Test(x, y);
        var mc1 = PairedPermutationTest.Test(x, y, seed: 3, resamples: 20000, exactMaxN: 0);
        var mc2 = PairedPermutationTest.Test(x, y, seed: 3, resamples: 20000, exactMaxN: 0);
        Assert.Equal(mc1, mc2);
        Assert.Equal("monte-carlo", mc1.Method);
        // Monte Carlo standard error of p is sqrt(p(1-p)/B) ≤ 0.0036 for B = 20000; allow 4 s.e.
        Assert.InRange(mc1.PValue, exact.PValue - 0.015, exact.PValue + 0.015);
        Assert.True(mc1.PValue > 0, "Monte Carlo p-value uses (count + 1)/(B + 1) and is never 0");
    }

    [Fact]
    public void All_zero_differences_give_p1()
    {
        var r = PairedPermutationTest.Test([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]);
        Assert.Equal(0, r.Statistic);
        Assert.Equal(1, r.PValue);
    }

    [Fact]
    public void Single_pair_is_defined()
    {
        var r = PairedPermutationTest.Test([2.0], [1.0], Alternative.Greater);
        Assert.Equal(1, r.Statistic);
        Assert.Equal(0.5, r.PValue); // of the two sign patterns, one is as large as observed
    }
}
