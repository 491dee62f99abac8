using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class IntervalTests
{
    public static IEnumerable<object[]> TCases => Ids("t_interval");
    public static IEnumerable<object[]> BootMean => Ids("bootstrap_mean");
    public static IEnumerable<object[]> BootDiff => Ids("bootstrap_diff");

    [Theory, MemberData(nameof(TCases))]
    public void T_interval_matches_scipy(string id)
    {
        var c = Case(id);
        var ci = MeanInterval.T(c.Doubles("x"), c.Double("level"));
        Close(c.Double("lower"), ci.Lower, what: "lower");
        Close(c.Double("upper"), ci.Upper, what: "upper");
        Assert.Equal(c.Doubles("x").Average(), ci.Estimate, 12);
    }

    // Bootstrap draws differ from SciPy's, so endpoints agree only statistically. Stated tolerance: 0.1 bootstrap
    // standard errors (the Monte Carlo error of a 2.5% quantile with B = 10^4 is ~0.03 s.e.).
    private const double BootstrapTolerance = 0.1;

    [Theory, MemberData(nameof(BootMean))]
    public void Bootstrap_mean_agrees_with_scipy_percentile(string id)
    {
        var c = Case(id);
        var ci = BootstrapInterval.Mean(c.Doubles("x"), c.Double("level"), seed: 42);
        double tol = BootstrapTolerance * c.Double("standard_error");
        Assert.InRange(ci.Lower, c.Double("lower") - tol, c.Double("lower") + tol);
        Assert.InRange(ci.Upper, c.Double("upper") - tol, c.Double("upper") + tol);
        Assert.Equal(ci, BootstrapInterval.Mean(c.Doubles("x"), c.Double("level"), seed: 42));
    }

    [Theory, MemberData(nameof(BootDiff))]
    public void Bootstrap_difference_agrees_with_scipy_percentile(string id)
    {
        var c = Case(id);
        var ci = BootstrapInterval.MeanDifference(c.Doubles("x"), c.Doubles("y"), c.Double("level"), seed: 42);
        double tol = BootstrapTolerance * c.Double("standard_error");
        Assert.InRange(ci.Lower, c.Double("lower") - tol, c.Double("lower") + tol);
        Assert.InRange(ci.Upper, c.Double("upper") - tol, c.Double("upper") + tol);
    }

    [Fact]
    public void Degenerate_intervals()
    {
        var t = MeanInterval.T([0.7, 0.7, 0.7]);
        Assert.Equal((0.7, 0.7), (t.Lower, t.Upper));
        Assert.NotNull(t.Note);
        Assert.Throws<ArgumentException>(() => MeanInterval.T([0.7]));
        Assert.Throws<ArgumentException>(() => MeanInterval.T([0.7, 0.8], 1.0));
        var b = BootstrapInterval.Mean([0.7]);
        Assert.Equal((0.7, 0.7), (b.Lower, b.Upper));
        Assert.NotNull(b.Note);
        var paired = BootstrapInterval.MeanDifference([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], paired: true);
        Assert.Equal((1.0, 1.0), (paired.Lower, paired.Upper));
        Assert.Throws<ArgumentException>(() => BootstrapInterval.MeanDifference([1.0, 2.0], [1.0], paired: true));
        Assert.Throws<ArgumentException>(() => BootstrapInterval.Mean([double.NaN]));
    }
}
