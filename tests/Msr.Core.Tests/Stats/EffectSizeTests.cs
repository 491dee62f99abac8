using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class EffectSizeTests
{
    public static IEnumerable<object[]> Cases => Ids("effect");

    [Theory, MemberData(nameof(Cases))]
    public void Match_reference(string id)
    {
        var c = Case(id);
        var d = EffectSize.CohensD(c.Doubles("x"), c.Doubles("y"));
        var delta = EffectSize.CliffsDelta(c.Doubles("x"), c.Doubles("y"));
        Close(c.Double("cohens_d"), d.Value, what: "d");
        Close(c.Double("cliffs_delta"), delta.Value, what: "delta");
        Close(c.Double("cliffs_delta_from_u"), delta.Value, what: "delta via scipy U");
        Assert.Equal(EffectSize.CohenMagnitude(d.Value), d.Magnitude);
    }

    [Theory]
    [InlineData(0.0, EffectMagnitude.Negligible)]
    [InlineData(-0.19, EffectMagnitude.Negligible)]
    [InlineData(0.2, EffectMagnitude.Small)]
    [InlineData(-0.49, EffectMagnitude.Small)]
    [InlineData(0.5, EffectMagnitude.Medium)]
    [InlineData(0.79, EffectMagnitude.Medium)]
    [InlineData(-0.8, EffectMagnitude.Large)]
    public void Cohen_labels(double d, EffectMagnitude expected) => Assert.Equal(expected, EffectSize.CohenMagnitude(d));

    [Theory]
    [InlineData(0.146, EffectMagnitude.Negligible)]
    [InlineData(0.147, EffectMagnitude.Small)]
    [InlineData(-0.329, EffectMagnitude.Small)]
    [InlineData(0.33, EffectMagnitude.Medium)]
    [InlineData(0.473, EffectMagnitude.Medium)]
    [InlineData(-0.474, EffectMagnitude.Large)]
    [InlineData(1.0, EffectMagnitude.Large)]
    public void Cliff_labels_romano_thresholds(double v, EffectMagnitude expected) => Assert.Equal(expected, EffectSize.CliffMagnitude(v));

    [Fact]
    public void Degenerate_inputs()
    {
        var same = EffectSize.CohensD([0.5, 0.5], [0.5, 0.5, 0.5]);
        Assert.Equal(0, same.Value);
        Assert.Equal(EffectMagnitude.Negligible, same.Magnitude);
        Assert.NotNull(same.Note);
        var apart = EffectSize.CohensD([0.4, 0.4], [0.5, 0.5]);
        Assert.Equal(double.NegativeInfinity, apart.Value);
        Assert.Equal(EffectMagnitude.Large, apart.Magnitude);
        Assert.Equal(1, EffectSize.CliffsDelta([2.0], [1.0]).Value);
        Assert.Equal(0, EffectSize.CliffsDelta([1.0], [1.0]).Value);
        Assert.Throws<ArgumentException>(() => EffectSize.CohensD([1.0], [2.0]));
        Assert.Throws<ArgumentException>(() => EffectSize.CliffsDelta([], [2.0]));
    }
}
