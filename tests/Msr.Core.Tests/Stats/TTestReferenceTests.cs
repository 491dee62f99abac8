using Xunit;
using Msr.Core.Stats;
using static Msr.Core.Tests.Stats.ScipyReference;

namespace Msr.Core.Tests.Stats;

public class TTestReferenceTests
{
    public static IEnumerable<object[]> Student => Ids("t_student");
    public static IEnumerable<object[]> Welch => Ids("t_welch");
    public static IEnumerable<object[]> Paired => Ids("t_paired");

    [Theory, MemberData(nameof(Student))]
    public void Student_matches_scipy_ttest_ind_equal_var(string id) =>
        Check(id, c => TTests.Student(c.Doubles("x"), c.Doubles("y"), c.Alt()));

    [Theory, MemberData(nameof(Welch))]
    public void Welch_matches_scipy_ttest_ind_unequal_var(string id) =>
        Check(id, c => TTests.Welch(c.Doubles("x"), c.Doubles("y"), c.Alt()));

    [Theory, MemberData(nameof(Paired))]
    public void Paired_matches_scipy_ttest_rel(string id) =>
        Check(id, c => TTests.Paired(c.Doubles("x"), c.Doubles("y"), c.Alt()));

    private static void Check(string id, Func<System.Text.Json.JsonElement, TestResult> run)
    {
        var c = Case(id);
        var r = run(c);
        Close(c.Double("statistic"), r.Statistic, what: "t");
        Close(c.Double("pvalue"), r.PValue, what: "p");
        Close(c.Double("df"), r.DegreesOfFreedom!.Value, what: "df");
        Assert.Equal(c.Alt(), r.Alternative);
        Assert.Null(r.Note);
    }
}
