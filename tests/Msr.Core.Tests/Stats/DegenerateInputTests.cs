using Xunit;
using Msr.Core.Stats;

namespace Msr.Core.Tests.Stats;

/// <summary>Every public test gives a documented value or throws ArgumentException naming the parameter; never NaN.</summary>
public class DegenerateInputTests
{
    private static void NotNaN(TestResult r)
    {
        Assert.False(double.IsNaN(r.Statistic), $"{r.Test}: statistic is NaN");
        Assert.InRange(r.PValue, 0, 1);
    }

    [Theory]
    [InlineData(Alternative.TwoSided)]
    [InlineData(Alternative.Greater)]
    [InlineData(Alternative.Less)]
    public void T_tests_with_equal_constant_samples_give_statistic0_p1(Alternative alt)
    {
        double[] c = [0.7, 0.7, 0.7];
        foreach (var r in new[] { TTests.Student(c, c, alt), TTests.Welch(c, c, alt), TTests.Paired(c, c, alt) })
        {
            NotNaN(r);
            Assert.Equal(0, r.Statistic);
            Assert.Equal(1, r.PValue);
            Assert.NotNull(r.Note);
        }
    }

    [Fact]
    public void T_tests_with_different_constant_samples_give_infinite_statistic()
    {
        double[] a = [0.8, 0.8, 0.8], b = [0.7, 0.7, 0.7];
        foreach (var r in new[] { TTests.Student(a, b), TTests.Welch(a, b), TTests.Paired(a, b) })
        {
            Assert.Equal(double.PositiveInfinity, r.Statistic);
            Assert.Equal(0, r.PValue);
        }
        Assert.Equal(0, TTests.Welch(a, b, Alternative.Greater).PValue);
        Assert.Equal(1, TTests.Welch(a, b, Alternative.Less).PValue);
        Assert.Equal(double.NegativeInfinity, TTests.Student(b, a, Alternative.Less).Statistic);
        Assert.Equal(0, TTests.Student(b, a, Alternative.Less).PValue);
        // constant but shifted paired differences: zero variance of d
        var p = TTests.Paired([1.0, 2.0, 3.0], [0.5, 1.5, 2.5], Alternative.Less);
        Assert.Equal(double.PositiveInfinity, p.Statistic);
        Assert.Equal(1, p.PValue);
    }

    [Fact]
    public void Too_small_empty_or_nan_inputs_throw_naming_the_parameter()
    {
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => TTests.Student([1.0], [2.0])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => TTests.Welch([1.0], [2.0, 3.0])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => TTests.Paired([1.0], [2.0])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => TTests.Paired([1.0, 2.0], [2.0, 3.0, 4.0])).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => TTests.Student([], [2.0, 3.0])).ParamName);
        var nan = Assert.Throws<ArgumentException>(() => TTests.Welch([1.0, double.NaN], [2.0, 3.0]));
        Assert.Equal("x", nan.ParamName);
        Assert.Contains("index 1", nan.Message);
        Assert.Throws<ArgumentException>(() => MannWhitney.Test([1.0, double.PositiveInfinity], [1.0]));
        Assert.Throws<ArgumentException>(() => MannWhitney.Test([], [1.0]));
        Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.OneSample([]));
        Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Paired([1.0], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => PairedPermutationTest.Test([], []));
        Assert.Throws<ArgumentException>(() => TTests.Student([1.0, 2.0], [1.0, 3.0], (Alternative)7));
        Assert.Throws<ArgumentNullException>(() => TTests.Student(null!, [1.0]));
    }

    [Fact]
    public void Student_allows_a_single_value_in_one_sample()
    {
        // pooled df = 1 + 3 - 2 = 2; SciPy returns NaN here because it computes var(ddof=1) of the single value.
        var r = TTests.Student([3.0], [1.0, 2.0, 2.5]);
        NotNaN(r);
        Assert.Equal(2, r.DegreesOfFreedom);
        double sp2 = (Math.Pow(1 - 11.0 / 6, 2) + Math.Pow(2 - 11.0 / 6, 2) + Math.Pow(2.5 - 11.0 / 6, 2)) / 2;
        Assert.Equal((3 - 11.0 / 6) / Math.Sqrt(sp2 * (1 + 1.0 / 3)), r.Statistic, 12);
    }

    [Fact]
    public void Mann_whitney_all_values_equal_gives_p1()
    {
        foreach (var cont in new[] { true, false })
        {
            var r = MannWhitney.Test([1.0, 1.0, 1.0], [1.0, 1.0], useContinuity: cont);
            NotNaN(r);
            Assert.Equal(3, r.Statistic); // n1 n2 / 2
            Assert.Equal(1, r.PValue);
        }
        var single = MannWhitney.Test([2.0], [1.0], Alternative.Greater);
        Assert.Equal("exact", single.Method);
        Assert.Equal(0.5, single.PValue);
    }

    [Fact]
    public void Mann_whitney_exact_with_ties_falls_back_with_note()
    {
        var r = MannWhitney.Test([1.0, 2.0, 2.0], [2.0, 3.0], method: TestMethod.Exact);
        Assert.Equal("asymptotic", r.Method);
        Assert.NotNull(r.Note);
    }

    [Fact]
    public void Mann_whitney_exact_agrees_with_brute_force_enumeration()
    {
        // Independent check of the exact distribution: enumerate all C(9,4) assignments of ranks to x.
        int m = 4, n = 5, total = 0, atLeast = 0;
        double[] x = [6, 7, 8, 2], y = [1, 3, 4, 5, 9];
        double u1 = MannWhitney.Test(x, y).Statistic;
        for (int mask = 0; mask < 1 << (m + n); mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != m) continue;
            total++;
            int u = 0;
            for (int i = 0; i < m + n; i++)
                if ((mask >> i & 1) == 1)
                    for (int j = 0; j < i; j++) if ((mask >> j & 1) == 0) u++;
            if (u >= u1) atLeast++;
        }
        Assert.Equal((double)atLeast / total, MannWhitney.Test(x, y, Alternative.Greater, TestMethod.Exact).PValue, 14);
    }

    [Fact]
    public void Mann_whitney_large_exact_request_falls_back_not_out_of_memory()
    {
        var x = Enumerable.Range(0, 8).Select(i => i + 0.5).ToArray();
        var y = Enumerable.Range(0, 5000).Select(i => i * 0.01).ToArray();
        var r = MannWhitney.Test(x, y, method: TestMethod.Exact);
        Assert.Equal("asymptotic", r.Method);
        Assert.NotNull(r.Note);
    }

    [Theory]
    [InlineData(ZeroMethod.Wilcox)]
    [InlineData(ZeroMethod.Pratt)]
    [InlineData(ZeroMethod.Zsplit)]
    public void Wilcoxon_all_zero_differences_give_p1(ZeroMethod zm)
    {
        var r = WilcoxonSignedRank.Paired([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], zeroMethod: zm);
        NotNaN(r);
        Assert.Equal(1, r.PValue, 12);
    }

    [Fact]
    public void Wilcoxon_exact_with_zeros_falls_back_with_note_and_single_pair_is_defined()
    {
        var r = WilcoxonSignedRank.OneSample([0.0, 1.0, 2.0, -3.0], method: TestMethod.Exact);
        Assert.Equal("asymptotic", r.Method);
        Assert.NotNull(r.Note);
        var one = WilcoxonSignedRank.OneSample([0.4], Alternative.Greater);
        Assert.Equal("exact", one.Method);
        Assert.Equal(0.5, one.PValue);
    }

    [Fact]
    public void Wilcoxon_exact_agrees_with_brute_force_sign_enumeration()
    {
        double[] d = [0.3, -1.2, 2.5, 0.8, -0.1, 1.7, 0.9];
        var r = WilcoxonSignedRank.OneSample(d, Alternative.Greater, method: TestMethod.Exact);
        var ranks = d.Select(v => Math.Abs(v)).OrderBy(v => v).ToList();
        double rPlus = d.Where(v => v > 0).Sum(v => ranks.IndexOf(Math.Abs(v)) + 1.0);
        int count = 0;
        for (int mask = 0; mask < 1 << d.Length; mask++)
        {
            double s = 0;
            for (int i = 0; i < d.Length; i++) if ((mask >> i & 1) == 1) s += i + 1;
            if (s >= rPlus) count++;
        }
        Assert.Equal(rPlus, r.Statistic);
        Assert.Equal(count / 128.0, r.PValue, 14);
    }
}
