using System.Text.Json;
using Msr.Core.Reports;
using Msr.Core.Results;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class RendererTests
{
    private static readonly double[] Auc = [0.8100, 0.8102, 0.8098, 0.8101, 0.8099];
    private static readonly double[] Ll = [0.4400, 0.4402, 0.4398, 0.4401, 0.4399];

    /// <summary>A best on AUC (0.8100*), B second; B best on logloss (0.4300*), A second.</summary>
    private static ComparisonReport Clear(ReportOptions? options = null) => ComparisonReports.Build(Grid("ml-1m",
            ("A", Auc, Ll),
            ("B", Shift(Auc, -0.01), Shift(Ll, -0.01)),
            ("C", Shift(Auc, -0.02), Shift(Ll, 0.01))),
        options ?? new ReportOptions { Scenarios = ["overall"] }, efficiency: true);

    private static void NoUndefinedNumbers(string text)
    {
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Infinity", text);
        Assert.DoesNotContain("∞", text);
    }

    [Fact]
    public void Markdown_shows_bold_underline_and_star()
    {
        var md = MarkdownRenderer.Render(Clear());
        Assert.Contains("| Model | overall AUC ↑ | overall Logloss ↓ |", md);
        Assert.Contains("| A | **0.8100**\\* ± 0.0002 | <u>0.4400</u> ± 0.0002 |", md);
        Assert.Contains("| B | <u>0.8000</u> ± 0.0002 | **0.4300**\\* ± 0.0002 |", md);
        Assert.Contains("| C | 0.7900 ± 0.0002 | 0.4500 ± 0.0002 |", md);
        Assert.Contains("two-sided Welch t-test, α = 0.05, no multiple-comparison correction", md);
        Assert.Contains("n = 5 seeds", md);
        Assert.Contains("Train (s/epoch)", md);
        NoUndefinedNumbers(md);
    }

    [Fact]
    public void Markdown_baseline_and_letters()
    {
        var md = MarkdownRenderer.Render(Clear(new ReportOptions { Scenarios = ["overall"], Mode = SignificanceMode.VsBaseline, Baseline = "B" }));
        Assert.Contains("| A | **0.8100**\\* ± 0.0002 | <u>0.4400</u>† ± 0.0002 |", md);
        var letters = MarkdownRenderer.Render(Clear(new ReportOptions { Scenarios = ["overall"], Mode = SignificanceMode.AllPairs }));
        Assert.Contains("| A (a) | **0.8100**<sup>bc</sup> ± 0.0002 | <u>0.4400</u><sup>c</sup> ± 0.0002 |", letters);
    }

    [Fact]
    public void Latex_uses_booktabs_textbf_underline_and_superscript_star()
    {
        var tex = LatexRenderer.Render(Clear());
        Assert.Contains("\\toprule", tex);
        Assert.Contains("\\midrule", tex);
        Assert.Contains("\\bottomrule", tex);
        Assert.Contains(" & \\multicolumn{2}{c}{overall} \\\\\n\\cmidrule(lr){2-3}\n", tex);
        Assert.Contains("Model & AUC $\\uparrow$ & Logloss $\\downarrow$ \\\\", tex);
        Assert.Contains("A & \\textbf{0.8100}$^{*}$ $\\pm$ 0.0002 & \\underline{0.4400} $\\pm$ 0.0002 \\\\", tex);
        Assert.Contains("B & \\underline{0.8000} $\\pm$ 0.0002 & \\textbf{0.4300}$^{*}$ $\\pm$ 0.0002 \\\\", tex);
        Assert.Contains("\\caption{ml-1m: mean $\\pm$ standard deviation", tex);
        Assert.Contains("\\label{tab:msr-ml-1m}", tex);
        Assert.Contains("$\\alpha$ = 0.05", tex);
        Assert.DoesNotContain("±", tex);
        NoUndefinedNumbers(tex);
    }

    [Fact]
    public void Json_has_every_p_value_and_effect_size()
    {
        var json = JsonRenderer.Render(Clear(new ReportOptions { Scenarios = ["overall"], Correction = Correction.Holm }));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("Welch t-test", root.GetProperty("options").GetProperty("test").GetString());
        Assert.Equal("Holm", root.GetProperty("options").GetProperty("correction").GetString());
        var table = root.GetProperty("tables")[0];
        var comparisons = table.GetProperty("comparisons").EnumerateArray().ToList();
        Assert.Equal(2, comparisons.Count);
        foreach (var c in comparisons)
        {
            Assert.Equal("Welch t-test", c.GetProperty("test").GetString());
            double p = c.GetProperty("p_value").GetDouble(), adj = c.GetProperty("adjusted_p_value").GetDouble();
            Assert.InRange(p, 0, 0.001);
            Assert.True(adj >= p);
            Assert.True(c.GetProperty("cohens_d").GetDouble() > 0);
            Assert.Equal(1.0, c.GetProperty("cliffs_delta").GetDouble());
            Assert.True(c.GetProperty("significant").GetBoolean());
        }
        var a = table.GetProperty("rows")[0];
        Assert.Equal("A", a.GetProperty("model").GetString());
        Assert.Equal("*", a.GetProperty("cells")[0].GetProperty("mark").GetString());
        Assert.True(a.GetProperty("cells")[0].GetProperty("best").GetBoolean());
        Assert.Equal(2.0, root.GetProperty("efficiency")[0].GetProperty("rows")[0].GetProperty("train_seconds_per_epoch").GetDouble());
    }

    [Fact]
    public void Csv_has_cells_and_comparisons()
    {
        var csv = CsvRenderer.Render(Clear());
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(string.Join(",", CsvRenderer.Header), lines[0]);
        Assert.Equal(6, lines.Count(l => l.StartsWith("cell,")));
        Assert.Equal(2, lines.Count(l => l.StartsWith("comparison,")));
        Assert.Equal(3, lines.Count(l => l.StartsWith("efficiency,")));
        Assert.All(lines, l => Assert.Equal(CsvRenderer.Header.Count, l.Split(',').Length));
        var cmp = lines.First(l => l.StartsWith("comparison,")).Split(',');
        Assert.Equal("Welch t-test", cmp[CsvRenderer.Header.ToList().IndexOf("test")]);
        Assert.True(double.Parse(cmp[CsvRenderer.Header.ToList().IndexOf("p_value")], System.Globalization.CultureInfo.InvariantCulture) < 0.001);
        Assert.NotEqual("", cmp[CsvRenderer.Header.ToList().IndexOf("cohens_d")]);
    }

    [Fact]
    public void Html_is_a_self_contained_page_with_marks_and_caption()
    {
        var html = HtmlRenderer.Render(Clear());
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<b>0.8100</b><sup>*</sup> ± 0.0002", html);
        Assert.Contains("<u>0.8000</u> ± 0.0002", html);
        Assert.Contains("<caption><b>Table 1.</b> ml-1m: mean ± standard deviation over n = 5 seeds", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html);
        NoUndefinedNumbers(html);
    }

    [Fact]
    public void Single_seed_gives_defined_output_without_marks()
    {
        var records = Grid("d", ("A", [0.81], [0.44]), ("B", [0.80], [0.45]));
        var report = ComparisonReports.Build(records, new ReportOptions { Scenarios = ["overall"] }, efficiency: true);
        var t = report.Tables.Single();
        Assert.Equal(1, t.TypicalN);
        Assert.All(t.Rows.SelectMany(r => r.Cells), c => Assert.Null(c.Spread));
        Assert.All(t.Rows.SelectMany(r => r.Cells), c => Assert.Equal(MarkKind.None, c.Mark));
        Assert.All(t.Comparisons, c => Assert.Null(c.PValue));
        Assert.Equal(0, t.FamilySize);
        Assert.Contains(t.Notes, n => n.Contains("n = 1"));
        Assert.Contains(t.Notes, n => n.Contains("not tested"));
        foreach (var format in Enum.GetValues<ReportFormat>()) NoUndefinedNumbers(ReportRenderer.Render(report, format));
        Assert.Contains("| A | **0.8100** | **0.4400** |", MarkdownRenderer.Render(report));
        // Paired and rank tests with one seed still give a defined (non-significant) result.
        foreach (var test in new[] { ComparisonTest.MannWhitney, ComparisonTest.Wilcoxon, ComparisonTest.Permutation, ComparisonTest.PairedT, ComparisonTest.Student })
        {
            var r = ComparisonReports.Build(records, new ReportOptions { Scenarios = ["overall"], Test = test });
            foreach (var format in Enum.GetValues<ReportFormat>()) NoUndefinedNumbers(ReportRenderer.Render(r, format));
            Assert.All(r.Tables.Single().Rows.SelectMany(x => x.Cells), c => Assert.Equal(MarkKind.None, c.Mark));
        }
    }

    [Fact]
    public void Zero_variance_and_identical_samples_are_defined()
    {
        double[] flat = [0.81, 0.81, 0.81];
        var records = Grid("d", ("A", flat, flat), ("B", Shift(flat, -0.01), Shift(flat, -0.01)), ("Twin", Shift(flat, -0.01), Shift(flat, -0.01)));
        foreach (var mode in Enum.GetValues<SignificanceMode>())
        {
            var report = ComparisonReports.Build(records, new ReportOptions { Scenarios = ["overall"], Mode = mode, Baseline = "B" });
            foreach (var format in Enum.GetValues<ReportFormat>()) NoUndefinedNumbers(ReportRenderer.Render(report, format));
            var t = report.Tables.Single();
            Assert.All(t.Comparisons, c => Assert.True(c.PValue is null || (c.PValue >= 0 && c.PValue <= 1)));
            Assert.Contains(t.Notes, n => n.Contains("zero variance"));
        }
        var runnerUp = ComparisonReports.Build(records, new ReportOptions { Scenarios = ["overall"], Metrics = ["auc"] }).Tables.Single();
        // A is constant and above two constant models: by the tests' documented zero-variance rule p = 0.
        Assert.Equal(MarkKind.Better, runnerUp.Rows[0].Cells[0].Mark);
        Assert.True(runnerUp.Rows[1].Cells[0].IsSecond && runnerUp.Rows[2].Cells[0].IsSecond);
        Assert.All(runnerUp.Comparisons, c => Assert.Null(c.CohensD));
        // Identical samples tie for best: no star, a note.
        var tie = ComparisonReports.Build(Grid("d", ("A", flat, flat), ("Twin", flat, flat)), new ReportOptions { Scenarios = ["overall"] }).Tables.Single();
        Assert.All(tie.Rows.SelectMany(r => r.Cells), c => Assert.True(c.IsBest && c.Mark == MarkKind.None));
        Assert.Contains(tie.Notes, n => n.Contains("tie for best"));
    }

    [Fact]
    public void Efficiency_table_averages_over_completed_runs()
    {
        var records = new List<RunRecord>
        {
            Completed("d", "A", 1, 0.8, 0.4, efficiency: new(2.0, 100, 4.0, 4096, 10), parameters: 1000),
            Completed("d", "A", 2, 0.8, 0.4, efficiency: new(4.0, 100, 6.0, 4096, 10), parameters: 1000),
            Failed("d", "A", 3),
        };
        var e = EfficiencyTables.Build(records).Single();
        var row = e.Rows.Single();
        Assert.Equal((2, 1, 3.0, 5.0, 4096, 1000.0), (row.Runs, row.FailedRuns, row.TrainSecondsPerEpoch, row.InferMillisecondsPerBatch, row.InferBatchSize, row.Parameters));
        var md = MarkdownRenderer.Render(ComparisonReports.Build(records, efficiency: true));
        Assert.Contains("| A | 3.00 | 5.00 | 1,000 | 2 |", md);
    }

    [Fact]
    public void Format_names_parse()
    {
        Assert.Equal(ReportFormat.Markdown, ReportRenderer.ParseFormat("md"));
        Assert.Equal(ReportFormat.Latex, ReportRenderer.ParseFormat("LaTeX"));
        Assert.Contains("'pdf'", Assert.Throws<ArgumentException>(() => ReportRenderer.ParseFormat("pdf")).Message);
    }
}
