using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class NonInferiorityTests
{
    public static IEnumerable<object[]> WelchCases => Ids("noninferiority_welch");
    public static IEnumerable<object[]> MannWhitneyCases => Ids("noninferiority_mannwhitney");

    static Metric MetricOf(System.Text.Json.JsonElement c) => c.Str("direction") == "higher" ? Metric.Auc : Metric.LogLoss;

    [Theory, MemberData(nameof(WelchCases))]
    public void Welch_matches_scipy_on_the_margin_shifted_samples(string id)
    {
        var c = Case(id);
        var r = NonInferiority.Test(MetricOf(c), c.Doubles("current"), c.Doubles("baseline"), c.Double("margin"), c.Double("alpha"));
        Close(c.Double("statistic"), r.Test.Statistic, what: "t");
        Close(c.Double("pvalue"), r.Test.PValue, what: "p");
        Close(c.Double("df"), r.Test.DegreesOfFreedom!.Value, what: "df");
        Close(c.Double("lower_bound"), r.LowerBound!.Value, rel: 1e-7, what: "lower bound");
        Assert.Equal(c.GetProperty("non_inferior").GetBoolean(), r.NonInferior);
        // The confidence bound and the test are the same decision.
        Assert.Equal(r.NonInferior, r.LowerBound!.Value > -r.Margin);
    }

    [Theory, MemberData(nameof(MannWhitneyCases))]
    public void Mann_Whitney_matches_scipy_on_the_margin_shifted_samples(string id)
    {
        var c = Case(id);
        var r = NonInferiority.Test(MetricOf(c), c.Doubles("current"), c.Doubles("baseline"), c.Double("margin"),
            test: NonInferiorityTest.MannWhitney);
        Close(c.Double("statistic"), r.Test.Statistic, what: "U");
        Close(c.Double("pvalue"), r.Test.PValue, what: "p");
        Assert.Null(r.LowerBound);
    }

    [Fact]
    public void Direction_decides_which_way_is_worse()
    {
        double[] baseline = [0.50, 0.51, 0.49, 0.50], higher = [0.60, 0.61, 0.59, 0.60];
        // Higher values: better AUC (non-inferior), worse logloss (not).
        Assert.True(NonInferiority.Test(Metric.Auc, higher, baseline, 0.001).NonInferior);
        var logloss = NonInferiority.Test(Metric.LogLoss, higher, baseline, 0.001);
        Assert.False(logloss.NonInferior);
        Assert.True(logloss.Improvement < 0);
        Assert.True(logloss.Delta > 0);
    }

    [Fact]
    public void A_loss_smaller_than_the_margin_passes_and_a_larger_one_fails()
    {
        double[] baseline = [0.800, 0.802, 0.798, 0.801, 0.799];
        double[] slightlyWorse = [.. baseline.Select(v => v - 0.002)];
        Assert.True(NonInferiority.Test(Metric.Auc, slightlyWorse, baseline, 0.01).NonInferior);
        Assert.False(NonInferiority.Test(Metric.Auc, slightlyWorse, baseline, 0.001).NonInferior);
    }

    [Fact]
    public void Constant_samples_decide_by_the_shifted_means()
    {
        double[] baseline = [0.8, 0.8, 0.8], current = [0.79, 0.79, 0.79];
        Assert.True(NonInferiority.Test(Metric.Auc, current, baseline, 0.02).NonInferior);
        var r = NonInferiority.Test(Metric.Auc, current, baseline, 0.005);
        Assert.False(r.NonInferior);
        Assert.Equal(1, r.Test.PValue);
        Assert.NotNull(r.Test.Note);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_margin_is_an_error_naming_it(double margin) =>
        Assert.Equal("margin", Assert.Throws<ArgumentException>(() => NonInferiority.Test(Metric.Auc, [1, 2], [1, 2], margin)).ParamName);

    [Fact]
    public void Smallest_exact_Mann_Whitney_p_value_is_one_over_the_number_of_orderings()
    {
        Assert.Equal(1.0 / 20, NonInferiority.SmallestPValue(NonInferiorityTest.MannWhitney, 3, 3), 12);
        Assert.Equal(1.0 / 70, NonInferiority.SmallestPValue(NonInferiorityTest.MannWhitney, 4, 4), 12);
        Assert.Equal(1.0 / 10, NonInferiority.SmallestPValue(NonInferiorityTest.MannWhitney, 2, 3), 12);
        Assert.Equal(0, NonInferiority.SmallestPValue(NonInferiorityTest.Welch, 3, 3));
        Assert.Equal(0, NonInferiority.SmallestPValue(NonInferiorityTest.MannWhitney, 9, 9));
        // Exact 3-vs-3 test at its best: all current values above all baseline ones.
        var best = NonInferiority.Test(Metric.Auc, [0.9, 0.91, 0.92], [0.5, 0.51, 0.52], 0, test: NonInferiorityTest.MannWhitney);
        Assert.Equal(0.05, best.Test.PValue, 12);
        Assert.False(best.NonInferior);
    }
}
