using Msr.Core.Reports;
using Msr.Core.Results;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class ComparisonReportTests
{
    // Low-variance AUC samples; "Clear" differences are many standard deviations apart.
    private static readonly double[] Base = [0.8100, 0.8102, 0.8098, 0.8101, 0.8099];
    private static readonly double[] Wobbly = [0.810, 0.800, 0.815, 0.805, 0.812];

    private static readonly ReportOptions OverallOnly = new() { Scenarios = ["overall"] };

    private static ReportCell Cell(ComparisonTable table, string model, string metric, string scenario = "overall") =>
        table.Rows.Single(r => r.Model == model).Cells.Single(c => c.Column.Metric.Name == metric && c.Column.Scenario == scenario);

    private static ComparisonTable Table(List<RunRecord> records, ReportOptions? options = null) =>
        ComparisonReports.Build(records, options ?? OverallOnly).Tables.Single();

    [Fact]
    public void Star_when_best_auc_is_clearly_better_than_runner_up()
    {
        var t = Table(Grid("d",
            ("A", Base, Shift(Base, -0.37)),
            ("B", Shift(Base, -0.010), Shift(Base, -0.36)),
            ("C", Shift(Base, -0.020), Shift(Base, -0.35))));
        var a = Cell(t, "A", "auc");
        Assert.True(a.IsBest);
        Assert.Equal(MarkKind.Better, a.Mark);
        Assert.True(Cell(t, "B", "auc").IsSecond);
        Assert.Equal(MarkKind.None, Cell(t, "B", "auc").Mark);
        Assert.False(Cell(t, "C", "auc").IsBest || Cell(t, "C", "auc").IsSecond);
        var cmp = t.Comparisons.Single(c => c.Metric == "auc");
        Assert.Equal(("A", "B"), (cmp.ModelA, cmp.ModelB));
        Assert.True(cmp.PValue < 1e-6);
        Assert.Equal("Welch t-test", cmp.Test);
        Assert.True(cmp.CohensD > 0 && cmp.CliffsDelta == 1);
    }

    [Fact]
    public void No_star_when_best_and_second_overlap()
    {
        var t = Table(Grid("d",
            ("A", Wobbly, Shift(Wobbly, -0.3)),
            ("B", Shift(Wobbly, -0.002), Shift(Wobbly, -0.298))));
        var a = Cell(t, "A", "auc");
        Assert.True(a.IsBest);
        Assert.Equal(MarkKind.None, a.Mark);
        Assert.True(Cell(t, "B", "auc").IsSecond);
        Assert.All(t.Comparisons, c => Assert.False(c.Significant));
        Assert.All(t.Comparisons, c => Assert.True(c.PValue > 0.5));
    }

    [Fact]
    public void Logloss_best_is_the_lowest_and_gets_the_star()
    {
        // C has the highest AUC but also the highest logloss; A has the lowest logloss.
        double[] ll = [0.4400, 0.4402, 0.4398, 0.4401, 0.4399];
        var t = Table(Grid("d",
            ("A", Shift(Base, -0.02), ll),
            ("B", Shift(Base, -0.01), Shift(ll, 0.010)),
            ("C", Base, Shift(ll, 0.020))));
        Assert.True(Cell(t, "A", "logloss").IsBest);
        Assert.Equal(MarkKind.Better, Cell(t, "A", "logloss").Mark);
        Assert.True(Cell(t, "B", "logloss").IsSecond);
        Assert.False(Cell(t, "C", "logloss").IsBest);
        Assert.True(Cell(t, "C", "auc").IsBest);
        Assert.Equal(MarkKind.Better, Cell(t, "C", "auc").Mark);
        Assert.True(Cell(t, "B", "auc").IsSecond);
        var cmp = t.Comparisons.Single(c => c.Metric == "logloss");
        Assert.Equal(("A", "B"), (cmp.ModelA, cmp.ModelB));
        Assert.Equal("A", cmp.Better);
        Assert.True(cmp.CohensD > 0, "effect sizes are oriented so that positive means A is better (lower logloss)");
        Assert.Equal(1, cmp.CliffsDelta);
    }

    [Fact]
    public void No_logloss_star_when_lowest_and_second_lowest_overlap()
    {
        double[] ll = [0.440, 0.450, 0.445, 0.435, 0.442];
        var t = Table(Grid("d",
            ("A", Base, ll),
            ("B", Shift(Base, -0.01), Shift(ll, 0.001)),
            ("C", Shift(Base, -0.02), Shift(ll, 0.05))));
        Assert.True(Cell(t, "A", "logloss").IsBest);
        Assert.True(Cell(t, "B", "logloss").IsSecond);
        Assert.Equal(MarkKind.None, Cell(t, "A", "logloss").Mark);
    }

    [Fact]
    public void Baseline_mode_marks_better_and_worse()
    {
        var records = Grid("d",
            ("Base", Base, Shift(Base, -0.37)),
            ("Up", Shift(Base, 0.01), Shift(Base, -0.38)),
            ("Down", Shift(Base, -0.01), Shift(Base, -0.36)),
            ("Same", Shift(Wobbly, 0.0), Shift(Wobbly, -0.37)));
        var t = Table(records, OverallOnly with { Mode = SignificanceMode.VsBaseline, Baseline = "base" });
        Assert.Equal(MarkKind.Better, Cell(t, "Up", "auc").Mark);
        Assert.Equal(MarkKind.Worse, Cell(t, "Down", "auc").Mark);
        Assert.Equal(MarkKind.None, Cell(t, "Same", "auc").Mark);
        Assert.Equal(MarkKind.None, Cell(t, "Base", "auc").Mark);
        // logloss: Up is lower (better), Down is higher (worse).
        Assert.Equal(MarkKind.Better, Cell(t, "Up", "logloss").Mark);
        Assert.Equal(MarkKind.Worse, Cell(t, "Down", "logloss").Mark);
        Assert.Equal(6, t.FamilySize);
        Assert.All(t.Comparisons, c => Assert.Equal("Base", c.ModelB));
        Assert.Contains("baseline Base", t.Caption);
    }

    [Fact]
    public void Unknown_baseline_names_the_model_and_the_known_ones()
    {
        var records = Grid("d", ("A", Base, Base), ("B", Base, Base));
        var e = Assert.Throws<ArgumentException>(() =>
            ComparisonReports.Build(records, new ReportOptions { Mode = SignificanceMode.VsBaseline, Baseline = "Nope" }));
        Assert.Contains("'Nope'", e.Message);
        Assert.Contains("A, B", e.Message);
    }

    [Fact]
    public void Unknown_metric_and_scenario_are_errors_naming_them()
    {
        var records = Grid("d", ("A", Base, Base));
        Assert.Contains("'accuracy'", Assert.Throws<ArgumentException>(() =>
            ComparisonReports.Build(records, new ReportOptions { Metrics = ["accuracy"] })).Message);
        Assert.Contains("'s9'", Assert.Throws<ArgumentException>(() =>
            ComparisonReports.Build(records, new ReportOptions { Scenarios = ["s9"] })).Message);
    }

    [Fact]
    public void Correction_removes_a_borderline_mark()
    {
        // Up and Up2: t ≈ 2.6 on 8 df against Base (p ≈ 0.03); Far: overwhelming. Family of 3 comparisons.
        double[] spread = [0.80, 0.81, 0.82, 0.83, 0.84];
        var records = Grid("d",
            ("Base", spread, spread),
            ("Up", Shift(spread, 0.026), spread),
            ("Up2", Shift(spread, 0.026), spread),
            ("Far", Shift(spread, 0.2), spread));
        var options = new ReportOptions { Scenarios = ["overall"], Metrics = ["auc"], Mode = SignificanceMode.VsBaseline, Baseline = "Base" };
        var plain = Table(records, options);
        var up = plain.Comparisons.Single(c => c.ModelA == "Up");
        Assert.InRange(up.PValue!.Value, 0.025, 0.05);
        Assert.Equal(up.PValue, up.AdjustedPValue);
        Assert.Equal(MarkKind.Better, Cell(plain, "Up", "auc").Mark);

        foreach (var (correction, keeps) in new[] { (Correction.Bonferroni, false), (Correction.Holm, false), (Correction.BenjaminiHochberg, true) })
        {
            var corrected = Table(records, options with { Correction = correction });
            var upC = corrected.Comparisons.Single(c => c.ModelA == "Up");
            Assert.Equal(up.PValue, upC.PValue);
            Assert.Equal(keeps, upC.AdjustedPValue < 0.05);
            Assert.Equal(keeps, upC.Significant);
            Assert.Equal(keeps ? MarkKind.Better : MarkKind.None, Cell(corrected, "Up", "auc").Mark);
            Assert.Equal(MarkKind.Better, Cell(corrected, "Far", "auc").Mark);
            Assert.Equal(3, corrected.FamilySize);
            Assert.Contains("over the 3 comparisons", corrected.Caption);
        }
    }

    [Fact]
    public void All_pairs_lists_the_letters_of_beaten_models()
    {
        var t = Table(Grid("d",
            ("A", Base, Base), ("B", Shift(Base, -0.01), Base), ("C", Shift(Base, -0.02), Base)),
            OverallOnly with { Metrics = ["auc"], Mode = SignificanceMode.AllPairs });
        Assert.Equal(["a", "b", "c"], t.Rows.Select(r => r.Letter));
        Assert.Equal("bc", Cell(t, "A", "auc").Letters);
        Assert.Equal("c", Cell(t, "B", "auc").Letters);
        Assert.Equal(MarkKind.None, Cell(t, "C", "auc").Mark);
        Assert.Equal(3, t.FamilySize);
    }

    [Fact]
    public void Compact_letters_group_models_that_do_not_differ()
    {
        var t = Table(Grid("d",
            ("A", Wobbly, Base), ("B", Shift(Wobbly, -0.001), Base), ("C", Shift(Wobbly, -0.2), Base)),
            OverallOnly with { Metrics = ["auc"], Mode = SignificanceMode.CompactLetters });
        Assert.Equal("a", Cell(t, "A", "auc").Letters);
        Assert.Equal("a", Cell(t, "B", "auc").Letters);
        Assert.Equal("b", Cell(t, "C", "auc").Letters);
    }

    [Fact]
    public void Compact_letter_display_handles_an_overlapping_chain()
    {
        // A differs from C only: A–B–C is a chain of non-differences.
        var letters = CompactLetterDisplay.Compute(3, [(0, 2)], [0, 1, 2]);
        Assert.Equal(["a", "ab", "b"], letters);
        Assert.Equal(["a", "a"], CompactLetterDisplay.Compute(2, [], [1, 0]));
        Assert.Equal("aa", CompactLetterDisplay.Letter(26));
    }

    [Theory]
    [InlineData(ComparisonTest.Student)]
    [InlineData(ComparisonTest.MannWhitney)]
    [InlineData(ComparisonTest.PairedT)]
    [InlineData(ComparisonTest.Wilcoxon)]
    [InlineData(ComparisonTest.Permutation)]
    public void Every_test_marks_a_clear_difference(ComparisonTest test)
    {
        double[] noisy = [0.800, 0.803, 0.801, 0.806, 0.802, 0.799, 0.804, 0.805];
        double[] offsets = [0.010, 0.011, 0.012, 0.0105, 0.0115, 0.0125, 0.0108, 0.0118];
        var t = Table(Grid("d", ("A", noisy.Zip(offsets, (x, o) => x + o).ToArray(), noisy), ("B", noisy, noisy)),
            OverallOnly with { Metrics = ["auc"], Test = test });
        Assert.Equal(MarkKind.Better, Cell(t, "A", "auc").Mark);
        Assert.Equal(ReportOptions.TestName(test), t.Comparisons.Single().Test);
        Assert.Contains(ReportOptions.TestName(test), t.Caption);
    }

    [Fact]
    public void Spread_is_std_or_standard_error()
    {
        var records = Grid("d", ("A", [0.80, 0.82, 0.84, 0.86], [0.4, 0.4, 0.4, 0.4]));
        var std = Cell(Table(records), "A", "auc").Spread!.Value;
        var se = Cell(Table(records, OverallOnly with { Spread = SpreadKind.StandardError }), "A", "auc").Spread!.Value;
        Assert.Equal(0.025819888974716, std, 12);
        Assert.Equal(std / 2, se, 12);
        Assert.Contains("standard error", Table(records, OverallOnly with { Spread = SpreadKind.StandardError }).Caption);
    }

    [Fact]
    public void Failed_runs_are_excluded_and_counted()
    {
        var records = Grid("d", ("A", Base, Base), ("B", Shift(Base, -0.01)[..3], Base[..3]));
        records.Add(Failed("d", "B", 4));
        records.Add(Failed("d", "B", 5));
        records.Add(Failed("d", "C", 1));
        var report = ComparisonReports.Build(records, OverallOnly);
        var t = report.Tables.Single();
        Assert.Equal(3, Cell(t, "B", "auc").N);
        Assert.Equal(5, t.TypicalN);
        Assert.Equal(2, t.Rows.Single(r => r.Model == "B").FailedRuns);
        Assert.Contains("Failed runs (excluded): B 2, C 1.", t.Caption);
        Assert.True(Cell(t, "C", "auc").IsMissing);
        Assert.Contains(t.Notes, n => n.Contains("C has all runs failed"));
        Assert.Equal(3, report.Failed.Count);
        var md = MarkdownRenderer.Render(report);
        Assert.Contains("(n = 3)", md);
        Assert.Contains("| C | – | – |", md);
        Assert.Contains("out of memory", md);
    }

    [Fact]
    public void Missing_scenario_gives_an_empty_cell_and_a_note()
    {
        var records = Grid("d", ("A", Base, Base));
        for (int s = 1; s <= 3; s++)
            records.Add(Completed("d", "B", s, 0.7, 0.5, [new Msr.Core.Metrics.MetricSet("s0", 10, 0.3, 0.7 + s * 0.001, 0.5)]));
        var t = Table(records, new ReportOptions());
        Assert.Equal(["overall", "s0", "s1"], t.Columns.Select(c => c.Scenario).Distinct());
        Assert.True(Cell(t, "B", "auc", "s1").IsMissing);
        Assert.Contains(t.Notes, n => n.Contains("s1 auc: B has no value"));
        foreach (var format in Enum.GetValues<ReportFormat>())
            Assert.DoesNotContain("NaN", ReportRenderer.Render(ComparisonReports.Build(records), format));
    }

    [Fact]
    public void Duplicate_seed_is_a_clear_error()
    {
        var records = Grid("d", ("A", Base, Base));
        records.Add(records[0] with { RunId = "again" });
        var e = Assert.Throws<InvalidDataException>(() => ComparisonReports.Build(records));
        Assert.Contains("again", e.Message);
    }

    [Fact]
    public void Swept_hyper_parameters_split_a_model_into_labelled_rows()
    {
        var records = new List<RunRecord>();
        for (int s = 1; s <= 2; s++)
        {
            records.Add(Completed("d", "MMoE", s, 0.8, 0.4, options: new Dictionary<string, string> { ["experts"] = "4", ["dropout"] = "0.1" }));
            records.Add(Completed("d", "MMoE", s, 0.81, 0.4, options: new Dictionary<string, string> { ["experts"] = "8", ["dropout"] = "0.1" }));
        }
        var t = Table(records);
        Assert.Equal(["MMoE (experts=4)", "MMoE (experts=8)"], t.Rows.Select(r => r.Model));
    }
}
