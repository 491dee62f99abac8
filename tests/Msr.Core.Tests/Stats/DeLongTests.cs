using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class DeLongTests
{
    public static IEnumerable<object[]> Cases => Ids("delong");

    /// <summary>Reference: NumPy implementation of the O(m·n) pairwise definition (DeLong et al. 1988) in generate.py.</summary>
    [Theory, MemberData(nameof(Cases))]
    public void Matches_pairwise_definition(string id)
    {
        var c = Case(id);
        var labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        foreach (var (alt, key) in new[] { (Alternative.TwoSided, "p_two_sided"), (Alternative.Greater, "p_greater"), (Alternative.Less, "p_less") })
        {
            var r = DeLong.Test(c.Doubles("scores_a"), c.Doubles("scores_b"), labels, alt);
            Close(c.Double("auc_a"), r.AucA, what: "aucA");
            Close(c.Double("auc_b"), r.AucB, what: "aucB");
            Close(c.Double("var_a"), r.VarianceA, what: "varA");
            Close(c.Double("var_b"), r.VarianceB, what: "varB");
            Close(c.Double("cov"), r.Covariance, what: "cov");
            Close(c.Double("z"), r.Test.Statistic, what: "z");
            Close(c.Double(key), r.Test.PValue, what: key);
        }
    }

    [Fact]
    public void Hand_computed_two_by_two()
    {
        // positives: A = {0.9, 0.6}, B = {0.8, 0.5}; negatives: A = {0.4, 0.2}, B = {0.3, 0.7}
        // AUC_A = 1 (both positives beat both negatives); AUC_B = 3/4 (0.8 beats both negatives, 0.5 beats 0.3 only).
        // A's components are all 1 so var_A = cov = 0. B: V10 = {1, 0.5}, V01 = {1, 0.5} → var_B = 0.125/2 + 0.125/2.
        var r = DeLong.Test([0.9, 0.4, 0.6, 0.2], [0.8, 0.3, 0.5, 0.7], new[] { true, false, true, false });
        Assert.Equal(1.0, r.AucA, 12);
        Assert.Equal(0.75, r.AucB, 12);
        Assert.Equal(0.0, r.VarianceA, 12);
        Assert.Equal(0.125, r.VarianceB, 12);
        Assert.Equal(0.0, r.Covariance, 12);
        Assert.Equal(0.25 / Math.Sqrt(0.125), r.Test.Statistic, 12);
    }

    [Fact]
    public void Identical_scores_give_z0_p1()
    {
        double[] s = [0.1, 0.7, 0.3, 0.9, 0.4];
        var r = DeLong.Test(s, s, new[] { 0, 1, 0, 1, 1 });
        Assert.Equal(0, r.Test.Statistic);
        Assert.Equal(1, r.Test.PValue);
        Assert.NotNull(r.Test.Note);
    }

    [Fact]
    public void Rejects_too_few_of_a_class_and_bad_labels()
    {
        var ex = Assert.Throws<ArgumentException>(() => DeLong.Test([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], new[] { 1, 0, 0 }));
        Assert.Equal("labels", ex.ParamName);
        Assert.Throws<ArgumentException>(() => DeLong.Test([0.1, 0.2], [0.1, 0.2], new[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => DeLong.Test([0.1, double.NaN, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4], new[] { 1, 0, 1, 0 }));
        Assert.Throws<ArgumentException>(() => DeLong.Test([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3], new[] { 1, 0, 1, 0 }));
    }
}
