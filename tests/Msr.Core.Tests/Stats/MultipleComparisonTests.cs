using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class MultipleComparisonTests
{
    public static IEnumerable<object[]> Cases => Ids("padjust");

    [Theory, MemberData(nameof(Cases))]
    public void Adjustments_match_textbook_reference(string id)
    {
        var c = Case(id);
        var p = c.Doubles("p");
        Close(c.Doubles("bonferroni"), PValueAdjustment.Bonferroni(p), what: "bonferroni");
        Close(c.Doubles("holm"), PValueAdjustment.Holm(p), what: "holm");
        Close(c.Doubles("bh"), PValueAdjustment.BenjaminiHochberg(p), what: "bh");
        Close(c.Doubles("holm"), PValueAdjustment.Adjust(p, AdjustmentMethod.Holm), what: "adjust(holm)");
    }

    [Fact]
    public void Empty_family_is_empty_and_invalid_p_throws()
    {
        Assert.Empty(PValueAdjustment.Holm([]));
        Assert.Throws<ArgumentException>(() => PValueAdjustment.Holm([0.1, double.NaN]));
        Assert.Throws<ArgumentException>(() => PValueAdjustment.BenjaminiHochberg([1.5]));
        Assert.Throws<ArgumentException>(() => PValueAdjustment.Bonferroni([-0.1]));
    }
}
